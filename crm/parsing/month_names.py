"""Dates written with the month's name: ``1 февраля 2025``, ``01 фев. 2025 г.``,
``1 February 2025``, ``Feb 1, 2025``, ``1-Feb-25``. Pure.

Such a date is never ambiguous, unlike ``2/1/2025``; it must still name the day and the
year (``февраль 2025`` and ``1 февраля`` are not a day).
"""

from __future__ import annotations

import re

from crm.parsing.when_words import MONTHS  # every form a month takes, ru and en

_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|-?го|-?е)?"
_MONTH = r"(?P<month>[a-zа-я]+)\.?"
_YEAR = r"(?P<year>\d{4}|\d{2})(?:\s*(?:г\.?|года))?"
_DAY_FIRST = re.compile(rf"^{_DAY}[\s-]+{_MONTH}[\s,-]+{_YEAR}$")  # 1 февраля 2025
_MONTH_FIRST = re.compile(rf"^{_MONTH}[\s-]+{_DAY},?[\s-]+{_YEAR}$")  # Feb 1, 2025


def named_month_date(text: str) -> tuple[int, int, str] | None:
    """``(day, month, year as written)`` when ``text`` is a date with a month's name,
    else None. The day is not checked against the month (``31 февраля`` is returned)."""
    folded = " ".join(text.casefold().replace("ё", "е").split())
    match = _DAY_FIRST.match(folded) or _MONTH_FIRST.match(folded)
    if not match:
        return None
    month = MONTHS.get(match["month"])
    if month is None:
        return None
    return int(match["day"]), month, match["year"]
