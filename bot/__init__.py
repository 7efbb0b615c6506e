"""The composition root: settings, wiring, the entry point and the console mode."""
