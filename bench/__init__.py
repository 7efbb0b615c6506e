"""Benchmarks on generated data; each module runs with ``python -m bench.<name>``."""
