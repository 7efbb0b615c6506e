"""A time of day as people type it: 9:00, 18.30, 7:05."""

from __future__ import annotations

import re
from datetime import time

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])(?:[:.]([0-5]\d))?\s*$")


def parse_clock_time(text: str, hour_alone: bool = False) -> time | None:
    """The time on a 24-hour clock, or None if ``text`` is not one; with ``hour_alone``
    (a line that asks only "what time?"), ``9`` is 9:00 too (``24`` still no time)."""
    match = _TIME.match(text)
    if match is None or (match[2] is None and not hour_alone):
        return None
    return time(int(match[1]), int(match[2] or 0))
