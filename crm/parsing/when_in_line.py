"""The when in a line that says what to do too: ``/task`` and a task's "when and what".

It is read at the line's start (``завтра в 10 позвонить``), else as its end (``позвонить
завтра в 10``): the longest end of at most ``MAX_WHEN_WORDS`` words that is nothing but a
date/time. Else, a clock time written with a colon in its middle (``позвонить Ивану в 15:00
по договору``, ``call Ivan at 15:00 about the contract``) is the when, with the words around
it that read as one with it (``в пятницу в 15:00``), at most ``MAX_WHEN_WORDS``; the what is
the words before and after. Only when the line has one such time, and only a colon's:
``15.00`` may be money, ``в 10`` a room, ``3.2`` a version, so a middle of those is not sought.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from crm.parsing.when import When, WhenError, moment
from crm.parsing.when_words import (
    DAY_PARTS,
    DAY_PREPS,
    TIME_LEADS_AFTER_DAY,
    TIME_PREPS,
    Clock,
    DayPart,
)

__all__ = ["MAX_WHEN_WORDS", "split_when", "when_ends", "when_middles"]

_REST_LEAD = re.compile(r"^[\s,;:.\-—–]+")
_REST_TAIL = re.compile(r"[\s,;:.\-—–]+$")
_WORD = re.compile(r"\S+")
# Words that lead a when and mean nothing without it: ``сдать отчёт до 18:00`` is due then,
# its what "сдать отчёт" (the when itself reads ``до`` only after a day, ``до пятницы до
# 18:00``: ``с 10 до 12`` is no moment).
_LEADS = TIME_LEADS_AFTER_DAY
_PREPS = DAY_PREPS | TIME_PREPS | _LEADS
MAX_WHEN_WORDS = 6  # "в следующую пятницу в 10 утра"; a longer end is not sought

# The digits-only ends that are surely a moment: a time, a day written as dates are
# (``25.12``, two digits each), or a day with its year; not ``2.5`` nor ``3.2``.
_PLAIN_WHEN = re.compile(r"\d:\d\d|(?<!\d)\d\d\.\d\d(?!\d)|\d[./-]\d{1,2}[./-]\d{2,4}")
# A clock time with a colon, as a word of its own (a comma may follow it).
_COLON_CLOCK = re.compile(r"\d{1,2}:\d{2}[,;]?")
# A word of a middle when besides its clock time: no digits, a count (``через 2 дня``), or a
# day written as dates are (``25.12``); never ``3.2`` or ``1.10``, which may be a version.
_MIDDLE_WORD = re.compile(
    r"\D*|\d+[,;]?|\D*\d\d\.\d\d\D*|\D*(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d\d?-\d\d?)\D*"
)


def split_when(
    text: str,
    now: datetime,
    tz: str,
    default_hour: int = 10,
    day_parts: Mapping[DayPart, Clock] = DAY_PARTS,
) -> When:
    """The moment at the start of a line such as ``завтра в 10 позвонить Ивану``, or else at
    its end (``позвонить Ивану завтра в 10``), or else a clock time in its middle
    (``позвонить Ивану в 15:00 по договору``), and the rest."""
    try:
        return moment(text, now, tz, default_hour, False, day_parts, whole=False)
    except WhenError as error:
        if error.code != "not_a_date":
            raise
        found = _when_within(text, now, tz, default_hour, day_parts)
        if found is None:
            raise
        return found


def when_ends(text: str) -> list[tuple[str, str]]:
    """(end, words before it) for each end of ``text`` that may be its when, longest first:
    at most ``MAX_WHEN_WORDS`` words, never the whole text."""
    starts = [match.start() for match in _WORD.finditer(text)][1:][-MAX_WHEN_WORDS:]
    return [(text[start:], _before(text[:start])) for start in starts]


def when_middles(text: str) -> list[tuple[str, str]]:
    """(middle, the words around it) for each run of words inside ``text`` (neither its
    first word nor its last) holding its one colon time, that may be its when: longest
    first, then the earliest; none when the line has no such time or more than one."""
    words = list(_WORD.finditer(text))
    clocks = [i for i, word in enumerate(words) if _COLON_CLOCK.fullmatch(word.group())]
    if len(clocks) != 1 or clocks[0] in (0, len(words) - 1):
        return []
    [clock] = clocks
    runs = [
        (first, last)
        for first in range(max(1, clock - MAX_WHEN_WORDS + 1), clock + 1)
        for last in range(clock, min(len(words) - 1, first + MAX_WHEN_WORDS))
        if all(
            _MIDDLE_WORD.fullmatch(word.group())
            for word in words[first : last + 1]
            if word is not words[clock]
        )
    ]
    runs.sort(key=lambda run: (run[0] - run[1], run[0]))
    middles = []
    for first, last in runs:
        start, end = words[first].start(), words[last].end()
        after = _REST_LEAD.sub("", text[end:])
        middles.append((text[start:end], " ".join(f"{_before(text[:start])} {after}".split())))
    return middles


def _before(text: str) -> str:
    """The words before a when, less a preposition left hanging (``встреча в`` 10 декабря,
    ``сдать отчёт до`` 18:00)."""
    words = _REST_TAIL.sub("", text).split()
    if words and words[-1].lower() in _PREPS:
        words.pop()
    return _REST_TAIL.sub("", " ".join(words))


def _when_within(
    text: str, now: datetime, tz: str, default_hour: int, day_parts: Mapping[DayPart, Clock]
) -> When | None:
    """The longest end that is a moment, else the longest middle; a past one or a day the
    calendar has not raises. An end of digits alone is taken only as a time (``10:30``),
    a day written as dates are (``25.12``) or with its year: ``версия 3.2``, ``отгрузить
    2.5`` or ``invoice 12/5`` are no guess at a day."""
    ends = [
        (end, before)
        for end, before in when_ends(text)
        if any(char.isalpha() for char in end) or _PLAIN_WHEN.search(end)
    ]
    for when, what in [*ends, *when_middles(text)]:
        try:
            found = moment(when, now, tz, default_hour, False, day_parts, whole=True)
        except WhenError as error:
            if error.code == "not_a_date":
                continue
            raise
        return When(at=found.at, has_time=found.has_time, rest=what)
    return None
