"""Times of day as people type them (the daily summary's time)."""

from __future__ import annotations

from datetime import time

import pytest

from crm.parsing.clock_time import parse_clock_time


@pytest.mark.parametrize(
    ("typed", "at"),
    [
        ("9:00", time(9, 0)),
        ("09:00", time(9, 0)),
        ("18.30", time(18, 30)),
        (" 7:05 ", time(7, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("08.00", time(8, 0)),
    ],
)
def test_times(typed: str, at: time) -> None:
    assert parse_clock_time(typed) == at


@pytest.mark.parametrize(
    "typed", ["", "9", "24:00", "9:60", "9:5", "9-00", "nine", "9:00 am", "9:00:00", "-1:00"]
)
def test_not_times(typed: str) -> None:
    assert parse_clock_time(typed) is None
