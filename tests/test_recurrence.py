"""Repeating tasks come back at the same local time, whatever the calendar does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm.recurrence import next_occurrence

MSK = "Europe/Moscow"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "repeat", "tz", "after", "expected"),
    [
        ("2026-03-02 07:00", "daily", MSK, "2026-03-02 07:30", "2026-03-03 07:00"),
        ("2026-03-02 07:00", "daily", MSK, "2026-03-05 06:00", "2026-03-05 07:00"),  # done late
        ("2026-03-06 07:00", "weekdays", MSK, "2026-03-06 08:00", "2026-03-09 07:00"),  # Fri→Mon
        ("2026-03-02 07:00", "weekly", MSK, "2026-03-02 08:00", "2026-03-09 07:00"),
        ("2026-01-31 07:00", "monthly", MSK, "2026-01-31 08:00", "2026-02-28 07:00"),
        ("2026-01-31 07:00", "monthly", MSK, "2026-03-01 08:00", "2026-03-31 07:00"),
        ("2026-12-15 07:00", "monthly", MSK, "2026-12-15 08:00", "2027-01-15 07:00"),
        # New York moves its clocks on 2026-03-08: 10:00 local stays 10:00 local.
        ("2026-03-07 15:00", "daily", "America/New_York", "2026-03-07 16:00", "2026-03-08 14:00"),
    ],
)
def test_next_occurrence(due: str, repeat: str, tz: str, after: str, expected: str) -> None:
    assert next_occurrence(utc(due), repeat, tz, utc(after)) == utc(expected)


def test_unknown_repeat() -> None:
    with pytest.raises(ValueError):
        next_occurrence(utc("2026-03-02 07:00"), "yearly", MSK, utc("2026-03-02 08:00"))
