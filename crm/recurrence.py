"""When a repeating task comes next, on the assignee's wall clock. Pure.

Repeats keep the local time of day across daylight-saving changes: a task due
every day at 10:00 stays at 10:00 local time. A monthly one keeps its day: on the
31st, it falls on a shorter month's last day and comes back to the 31st after it
(the day is given, as the occurrence in February no longer shows it).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

REPEATS = ("daily", "weekdays", "weekly", "monthly")


def next_occurrence(
    due_at: datetime, repeat: str, tz: str, after: datetime, day: int | None = None
) -> datetime:
    """The first repetition of ``due_at`` strictly after ``after`` (both aware).

    ``day``: the day of the month a monthly repeat falls on (``due_at``'s own if None).
    """
    if repeat not in REPEATS:
        raise ValueError(f"unknown repeat {repeat!r}")
    zone = ZoneInfo(tz)
    local = due_at.astimezone(zone)
    step = 0
    while True:
        step += 1
        next_day = _step(local.date(), repeat, step, day or local.day)
        candidate = datetime.combine(next_day, local.time(), tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate


def month_day(due_at: datetime, tz: str, day: int | None) -> int:
    """The day of the month a monthly repeat keeps: ``day``, or ``due_at``'s own."""
    return day or due_at.astimezone(ZoneInfo(tz)).day


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
