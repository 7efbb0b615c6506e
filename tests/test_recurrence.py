"""Repeating tasks come back at the same local time, whatever the calendar does."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from crm.recurrence import next_occurrence

MSK = "Europe/Moscow"
BERLIN = "Europe/Berlin"  # clocks 02:00→03:00 on 2026-03-29, 03:00→02:00 on 2026-10-25
NEW_YORK = "America/New_York"  # 02:00→03:00 on 2026-03-08, 02:00→01:00 on 2026-11-01


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


def wall(text: str, tz: str, fold: int = 0) -> datetime:
    """A local time in ``tz`` as the UTC moment it is (``fold=1``: the second of two)."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC)


@pytest.mark.parametrize(
    ("due", "fold", "repeat", "tz", "after", "at", "expected"),
    [
        # The clocks skip 02:30 (Berlin): it comes when they land, at 03:00 ...
        ("2026-03-28 02:30", 0, "daily", BERLIN, "2026-03-28 03:00", None, "2026-03-29 03:00"),
        ("2026-03-28 02:00", 0, "daily", BERLIN, "2026-03-28 03:00", None, "2026-03-29 03:00"),
        ("2026-03-22 02:30", 0, "weekly", BERLIN, "2026-03-22 03:00", None, "2026-03-29 03:00"),
        # ... and the day after, at 02:30 again (the time that night could not keep is given)
        ("2026-03-29 03:00", 0, "daily", BERLIN, "2026-03-29 04:00", "02:30", "2026-03-30 02:30"),
        # Times the jump does not touch stay as they are.
        ("2026-03-28 01:59", 0, "daily", BERLIN, "2026-03-28 03:00", None, "2026-03-29 01:59"),
        ("2026-03-28 03:00", 0, "daily", BERLIN, "2026-03-28 04:00", None, "2026-03-29 03:00"),
        ("2026-03-07 02:30", 0, "daily", NEW_YORK, "2026-03-07 03:00", None, "2026-03-08 03:00"),
        ("2026-03-08 03:00", 0, "daily", NEW_YORK, "2026-03-08 04:00", "02:30", "2026-03-09 02:30"),
        # The clocks show 02:30 twice (Berlin): it comes the first time, once ...
        ("2026-10-24 02:30", 0, "daily", BERLIN, "2026-10-24 03:00", None, "2026-10-25 02:30"),
        ("2026-10-25 02:30", 0, "daily", BERLIN, "2026-10-25 02:40", None, "2026-10-26 02:30"),
        # ... not again the second time when done between the two
        ("2026-10-24 02:30", 0, "daily", BERLIN, "2026-10-25 02:45", None, "2026-10-26 02:30"),
        # one set for the second 02:30 comes at 02:30 the days after
        ("2026-10-25 02:30", 1, "daily", BERLIN, "2026-10-25 02:40", None, "2026-10-26 02:30"),
        ("2026-10-31 01:30", 0, "daily", NEW_YORK, "2026-10-31 02:00", None, "2026-11-01 01:30"),
        ("2026-11-01 01:30", 0, "daily", NEW_YORK, "2026-11-01 01:40", None, "2026-11-02 01:30"),
    ],
)
def test_a_repeat_keeps_its_wall_time_when_the_clocks_move(
    due: str, fold: int, repeat: str, tz: str, after: str, at: str | None, expected: str
) -> None:
    """``after`` is a local time too: on the night the clocks go back, the first of two."""
    kept = time.fromisoformat(at) if at else None
    found = next_occurrence(wall(due, tz, fold), repeat, tz, wall(after, tz), at=kept)
    assert found == wall(expected, tz)
