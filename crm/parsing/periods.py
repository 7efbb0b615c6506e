"""Periods as people type them (``01.10.2026–31.10.2026``), and the preset periods' days."""

from __future__ import annotations

import re
from datetime import date, timedelta

from crm.parsing.when import MIN_YEAR

PERIOD_PRESETS = ("today", "week", "month", "30d")

# A year outside is a typo (and the day after 31.12.9999, or a zone's midnight of
# 01.01.0001 in UTC, overflows datetime): from when's MIN_YEAR.
YEARS = range(MIN_YEAR, 9999)

_DAY = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
_PERIOD = re.compile(rf"{_DAY}(?:\s*[-–—]\s*{_DAY})?")


def parse_period(text: str) -> tuple[date, date] | None:
    """``01.10.2026–31.10.2026`` (any dash) or one day ``01.10.2026``; None if not a period.

    Days given in reverse order are swapped; a year outside ``YEARS`` is not a period.
    """
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        return None
    parts = match.groups()
    try:
        first = _day(parts[0], parts[1], parts[2])
        last = _day(parts[3], parts[4], parts[5]) if parts[3] else first
    except ValueError:
        return None
    if first.year not in YEARS or last.year not in YEARS:
        return None
    return (first, last) if first <= last else (last, first)


def _day(day: str, month: str, year: str) -> date:
    return date(int(year), int(month), int(day))


def preset_days(preset: str, today: date) -> tuple[date, date] | None:
    """The first day and the day after the last of a preset period ending today; None if unknown."""
    if preset == "today":
        return today, today + timedelta(days=1)
    if preset == "week":
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=7)
    if preset == "month":
        first = today.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1)
    if preset == "30d":
        return today - timedelta(days=29), today + timedelta(days=1)
    return None
