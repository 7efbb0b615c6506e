"""The days of a report as people type them: ``01.10–31.10``, ``01.10.2026–31.10.2026``, ``5.3``.

A report looks back: days typed without a year are this year's, unless the
period would then begin after today (it is last year's) or it runs over New Year
(``15.12–15.01``: the first day is in the year before the last one). Days typed
in reverse order are swapped.
"""

from __future__ import annotations

import re
from datetime import date

from crm.parsing.periods import parse_period

MAX_DAYS = 366  # a typed period of at most a (leap) year
YEARS = range(1970, 9999)  # days outside cannot be a report (and overflow datetime at the edges)

_DASH = re.compile(r"\s*[-–—]\s*")
_NO_YEAR = re.compile(r"(\d{1,2})\.(\d{1,2})")


def parse_report_days(text: str, today: date) -> tuple[date, date] | None:
    """The first and the last day (inclusive); None if unreadable or longer than a year."""
    parts = _DASH.split(text.strip())
    if not 1 <= len(parts) <= 2:
        return None
    days = parse_period("–".join(_with_years(parts, today)))
    if days is None or not sensible(*days):
        return None
    return days


def sensible(first: date, last: date) -> bool:
    in_years = first.year in YEARS and last.year in YEARS
    return in_years and first <= last and (last - first).days < MAX_DAYS


def _with_years(parts: list[str], today: date) -> list[str]:
    """A year for each day typed without one."""
    short = [_NO_YEAR.fullmatch(part) is not None for part in parts]
    found = [_month_day(part) for part in parts]
    marks = [mark for mark in found if mark is not None]
    if not any(short) or len(marks) != len(parts):
        return parts  # nothing to add, or something parse_period refuses anyway
    now = (today.month, today.day)
    if len(parts) == 1:
        return [f"{parts[0]}.{today.year - (marks[0] > now)}"]
    first, last = parts
    across = int(_runs_over_new_year(marks[0], marks[1]))
    if short[0] and short[1]:
        year = today.year - (across == 0 and min(marks) > now)  # reversed days are swapped
        return [f"{first}.{year - across}", f"{last}.{year}"]
    if short[0]:
        return [f"{first}.{int(last.rsplit('.', 1)[1]) - across}", last]
    return [first, f"{last}.{int(first.rsplit('.', 1)[1]) + across}"]


def _runs_over_new_year(first: tuple[int, int], last: tuple[int, int]) -> bool:
    """``15.12–15.01`` runs over New Year; ``31.10–01.10`` is October typed backwards.

    Days typed in reverse order are read whichever way makes the shorter period.
    """
    first_at, last_at = ((month - 1) * 31 + day for month, day in (first, last))
    return first_at > last_at and 12 * 31 - first_at + last_at < first_at - last_at


def _month_day(part: str) -> tuple[int, int] | None:
    """(month, day) of ``d.m`` or ``d.m.yyyy``, for comparing days; None for anything else."""
    pieces = part.split(".")
    if len(pieces) not in (2, 3) or not all(piece.isdigit() for piece in pieces):
        return None
    return int(pieces[1]), int(pieces[0])
