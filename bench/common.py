"""What every benchmark uses: progress on stderr and a reference loop that says how fast the
machine is right now.
"""

from __future__ import annotations

import sys
import time


def cpu_reference_ms() -> float:
    """A fixed pure-Python loop, timed: how fast this machine is right now, to compare runs."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10**7))
        runs.append((time.perf_counter() - started) * 1000)
    return round(sorted(runs)[2], 1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
