"""Bringing a base in from a spreadsheet: reading, mapping, preview, the batch and its undo."""
