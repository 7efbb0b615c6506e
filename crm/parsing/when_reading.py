"""Reading the words of a date and time: at most one day and one time, in either order.

What is read here is resolved against the clock in ``crm.parsing.when``, whose docstring
lists the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from crm.parsing.when_amounts import match_phrase, read_shift
from crm.parsing.when_words import (
    CLOCK_WORD,
    DAY_OF_MONTH,
    DAY_PREPS,
    DAY_WORDS,
    DEADLINE_PREPS,
    DEADLINE_WEEKDAY_ONLY,
    HOUR_WORDS,
    ISO_DATE,
    MERIDIEM,
    MERIDIEM_ALIASES,
    MONTHS,
    NAMED_TIMES,
    NEXT,
    NEXT_WEEK,
    NUMERIC_DATE,
    PART_LEADS,
    PART_WORDS,
    THIS,
    TIME_LEADS_AFTER_DAY,
    TIME_PREPS,
    TOKEN,
    WEEKDAY_ONLY_PREPS,
    WEEKDAYS,
    WEEKDAYS_AFTER_LEAD,
    YEAR,
    YEAR_WORDS,
    Clock,
    DayPart,
)

WhenCode = Literal["not_a_date", "no_such_day", "bad_year", "in_the_past", "empty"]


class WhenError(ValueError):
    """``code`` is ``not_a_date``, ``no_such_day`` (a date the calendar has not: 31.02),
    ``bad_year`` (a date written with a year no one means: 0000, 1025, 9999), ``in_the_past``
    or ``empty``."""

    def __init__(self, code: WhenCode, next_day: date | None = None) -> None:
        super().__init__(code)
        self.code: WhenCode = code
        self.next_day = next_day  # no_such_day: the next year that has it (29.02 of 2028)


@dataclass(frozen=True)
class Day:
    """A day as written, resolved against ``now`` only once the time (if any) is known."""

    offset: int | None = None  # days from today: сегодня, завтра, через 3 дня
    weekday: int | None = None
    strict: bool = False  # "next friday": never today
    this: bool = False  # "this friday", "в эту пятницу": today on a Friday
    dom: int = 0
    month: int = 0
    year: int | None = None
    months: int = 0  # "через месяц": calendar months after ``offset`` days
    keeps_time: bool = False  # "через 1 день 2 часа" keeps the time of day


@dataclass(frozen=True)
class Reading:
    day: Day | None
    clock: Clock | None
    minutes: int  # "через 2 часа": real minutes added after the day part
    end: int  # tokens consumed


def tokenize(text: str) -> tuple[list[str], list[int]]:
    """Normalised words and where each ends in the original, so ``rest`` keeps its spelling."""
    words: list[str] = []
    ends: list[int] = []
    for match in TOKEN.finditer(text):
        word = match.group().lower().replace("ё", "е").rstrip(".:")
        if not any(char.isdigit() for char in word):
            word = word.replace(".", "")  # "a.m." -> "am"; dots inside dates stay
        if word:
            words.append(word)
            ends.append(match.end())
    return words, ends


def read(words: list[str], day_parts: Mapping[DayPart, Clock]) -> Reading:
    """At most one day part and one time part, in either order, from the first word on."""
    shift = read_shift(words, 0)
    if shift is not None and shift[0][1]:
        (days, minutes, months), end = shift
        return Reading(Day(offset=days, months=months, keeps_time=True), None, minutes, end)
    day: Day | None = None
    clock: Clock | None = None
    i = 0
    while i < len(words):
        if day is None and (found_day := _read_day(words, i)) is not None:
            day, i = found_day
        elif clock is None and (found := _read_clock(words, i, day, day_parts)) is not None:
            clock, i = found
        else:
            break
    if day is None and clock is None:
        raise WhenError("not_a_date")
    return Reading(day, clock, 0, i)


def _read_day(words: list[str], i: int) -> tuple[Day, int] | None:
    """A weekday, a day word, a shift in whole days or a calendar date, with its preposition."""
    _, after = match_phrase(words, i, NEXT_WEEK)
    if after > i:
        return Day(weekday=0, strict=True), after
    j = i
    prep = words[j] if words[j] in DAY_PREPS | DEADLINE_PREPS else ""
    j += bool(prep)
    this = j < len(words) and words[j] in THIS
    j += this
    strict = not this and j < len(words) and words[j] in NEXT
    j += strict
    if j >= len(words):
        return None
    weekday = WEEKDAYS.get(words[j])
    if weekday is None and prep in DEADLINE_PREPS:
        weekday = WEEKDAYS_AFTER_LEAD.get(words[j])  # "до пятницы", "к пятнице"
    if weekday is not None:
        return Day(weekday=weekday, strict=strict, this=this), j + 1
    if strict or this or prep in WEEKDAY_ONLY_PREPS | DEADLINE_WEEKDAY_ONLY:
        return None
    offset, after = match_phrase(words, j, DAY_WORDS)
    if after > j:
        return Day(offset=offset), after
    if prep in DEADLINE_PREPS:
        return None  # "до 3.2" may be a version: a deadline's date is not sought
    shift = None if prep else read_shift(words, j)
    if shift is not None:
        (days, minutes, months), after = shift
        return (Day(offset=days, months=months), after) if not minutes else None
    return _read_date(words, j)


def _read_date(words: list[str], j: int) -> tuple[Day, int] | None:
    """``25.12``, ``25/12/26``, ``2026-12-25``, ``25 декабря 2026``, ``Dec 25th``."""
    word = words[j]
    if match := ISO_DATE.fullmatch(word):
        return _date(int(match[3]), int(match[2]), int(match[1])), j + 1
    if match := NUMERIC_DATE.fullmatch(word):
        year = None if match[3] is None else int(match[3])
        if year is not None and len(match[3]) == 2:
            year += 2000  # "25.12.26"
        return _date(int(match[1]), int(match[2]), year), j + 1
    nxt = words[j + 1] if j + 1 < len(words) else ""
    if (match := DAY_OF_MONTH.fullmatch(word)) and nxt in MONTHS:
        dom, month = int(match[1]), MONTHS[nxt]
    elif word in MONTHS and (match := DAY_OF_MONTH.fullmatch(nxt)):
        dom, month = int(match[1]), MONTHS[word]
    else:
        return None
    j += 2
    year = None
    if j < len(words) and (match := YEAR.fullmatch(words[j])):
        year, j = int(match[1]), j + 1
        j += j < len(words) and words[j] in YEAR_WORDS
    return _date(dom, month, year), j


def _date(dom: int, month: int, year: int | None) -> Day:
    """A date as written; whether the calendar has it is checked at resolution time, once
    the words after it are known (``31.02 позвонить``: a when, then what to do)."""
    if not (1 <= month <= 12 and 1 <= dom <= 31):
        raise WhenError("not_a_date")
    return Day(dom=dom, month=month, year=year)


def checked_date(year: int, month: int, dom: int) -> date:
    try:
        return date(year, month, dom)
    except ValueError:
        raise WhenError("no_such_day") from None


def _read_part(
    words: list[str], i: int, day_parts: Mapping[DayPart, Clock]
) -> tuple[Clock, int] | None:
    """``вечером``, ``in the morning``, ``this evening`` as the clock ``day_parts`` gives."""
    for lead in ((), *PART_LEADS):
        j = i + len(lead)
        if tuple(words[i:j]) == lead and j < len(words) and words[j] in PART_WORDS:
            return day_parts[PART_WORDS[words[j]]], j + 1
    return None


def _read_clock(
    words: list[str], i: int, day: Day | None, day_parts: Mapping[DayPart, Clock]
) -> tuple[Clock, int] | None:
    """``в 10``, ``10:30``, ``в 10.30``, ``9am``, ``9 pm``, ``21ч``, ``в 2 часа дня``, ``noon``."""
    if (part := _read_part(words, i, day_parts)) is not None:
        return part
    after_day = day is not None
    prep = words[i] in TIME_PREPS or (after_day and words[i] in TIME_LEADS_AFTER_DAY)
    j = i + prep
    if j >= len(words):
        return None
    if words[j] in NAMED_TIMES:
        return NAMED_TIMES[words[j]], j + 1
    match = CLOCK_WORD.fullmatch(words[j])
    if match is None:
        return None
    hour, minute, sep = int(match["h"]), int(match["m"] or 0), match["sep"]
    marker, j = match["suffix"], j + 1
    nxt = words[j] if j < len(words) else ""
    nxt = MERIDIEM_ALIASES.get(nxt, nxt)
    if not marker and (nxt in HOUR_WORDS or nxt in MERIDIEM):
        marker, j = nxt, j + 1
    meridiem = marker if marker in MERIDIEM else None
    after = MERIDIEM_ALIASES.get(words[j], words[j]) if j < len(words) else ""
    if marker in HOUR_WORDS and after in MERIDIEM:
        meridiem, j = after, j + 1
    if marker and marker not in HOUR_WORDS and meridiem is None:
        return None  # "10abc", "25th"
    marked = sep == ":" or meridiem is not None or marker == "ч"
    if sep == "-" and minute > hour and minute < 24 and match["m"][0] != "0":
        return None  # "в 10-12" is from 10 to 12; "в 9-30", "в 18-00" are times
    if sep in (".", "-") and not (prep or after_day):
        return None  # "9.03" is a date
    if not (prep or marked or (sep and after_day)):
        return None  # a bare "10" is too ambiguous
    if not sep and not marker and (hour > 23 or nxt in MONTHS):
        return None  # "в 25 кабинете", "в 10 декабря" are not hours
    if meridiem is not None:
        hour = _apply_meridiem(hour, meridiem)
    if hour > 23 or minute > 59:
        raise WhenError("not_a_date")
    return (hour, minute), j


def _apply_meridiem(hour: int, word: str) -> int:
    """``7 вечера`` -> 19; ``19 вечера`` says it twice and is accepted; ``3 вечера`` is not."""
    table = MERIDIEM[word]
    if hour in table:
        return table[hour]
    if hour > 12 and word not in ("am", "pm", "утра") and hour in table.values():
        return hour
    raise WhenError("not_a_date")
