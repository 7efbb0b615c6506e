"""When a repeating task comes next, on the assignee's wall clock. Pure.

Repeats keep the local time of day across daylight-saving changes: a task due
every day at 10:00 stays at 10:00 local time. On the night the clocks go forward
a time in the skipped hour (02:30 in Berlin) does not exist: that day's occurrence
comes when the clocks land (03:00), and the days after are at 02:30 again (the
time is given, as that occurrence no longer shows it). On the night they go back
a time in the doubled hour comes once, the first time. A monthly one keeps its
day: on the 31st, it falls on a shorter month's last day and comes back to the
31st after it (the day is given, as the occurrence in February no longer shows it).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

REPEATS = ("daily", "weekdays", "weekly", "monthly")


def next_occurrence(
    due_at: datetime,
    repeat: str,
    tz: str,
    after: datetime,
    day: int | None = None,
    at: time | None = None,
) -> datetime:
    """The first repetition of ``due_at`` strictly after ``after`` (both aware).

    ``day``: the day of the month a monthly repeat falls on (``due_at``'s own if None);
    ``at``: the local time of day it keeps (``due_at``'s own if None).
    """
    if repeat not in REPEATS:
        raise ValueError(f"unknown repeat {repeat!r}")
    zone = ZoneInfo(tz)
    local = due_at.astimezone(zone)
    wall = local_time(due_at, tz, at)
    step = 0
    while True:
        step += 1
        next_day = _step(local.date(), repeat, step, day or local.day)
        candidate = on_wall_clock(next_day, wall, zone)
        if candidate > after:
            return candidate


def month_day(due_at: datetime, tz: str, day: int | None) -> int:
    """The day of the month a monthly repeat keeps: ``day``, or ``due_at``'s own."""
    return day or due_at.astimezone(ZoneInfo(tz)).day


def local_time(due_at: datetime, tz: str, at: time | None) -> time:
    """The local time of day a repeat keeps: ``at``, or ``due_at``'s own."""
    return (at or due_at.astimezone(ZoneInfo(tz)).time()).replace(fold=0, tzinfo=None)


def on_wall_clock(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The moment (UTC) the clocks in ``zone`` show ``wall`` on ``day``.

    A time the clocks skip comes when they land after the jump; a time they show
    twice comes the first time.
    """
    first = datetime.combine(day, wall.replace(fold=0), tzinfo=zone)
    moment = first.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None):
        return moment
    # Skipped: read with the offset after the jump it lies before it, with the one
    # before the jump after it; the jump is in between, found to the second.
    low, high = first.replace(fold=1).astimezone(UTC), moment
    landed = moment.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
        if middle.astimezone(zone).utcoffset() == landed:
            high = middle
        else:
            low = middle
    return high


def _step(day: date, repeat: str, n: int, month_day: int) -> date:
    """The ``n``-th repetition's date after ``day`` (a monthly one on ``month_day``)."""
    if repeat == "daily":
        return day + timedelta(days=n)
    if repeat == "weekly":
        return day + timedelta(days=7 * n)
    if repeat == "weekdays":
        for _ in range(n):
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
        return day
    # monthly: the same day of the month, or the month's last day when it is shorter
    month_index = day.month - 1 + n
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(month_day, calendar.monthrange(year, month)[1]))
