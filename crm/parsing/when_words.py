"""The words and patterns of dates and times that ``crm.parsing.when`` reads.

One meaning per line, Russian and English spellings together, lower case (the reader folds
``ё`` into ``е`` and drops the dots of ``a.m.``).
"""

from __future__ import annotations

import re
from typing import Literal

Clock = tuple[int, int]  # hour, minute
Shift = tuple[int, int, int]  # days, minutes, months


def _vocab(rows: tuple[str, ...], start: int = 0) -> dict[str, int]:
    """Spelling -> index of its row; keeps the tables below one line per meaning."""
    return {word: index for index, row in enumerate(rows, start) for word in row.split()}


WEEKDAYS = _vocab(
    (
        "понедельник пн пон monday mon",
        "вторник вт вто tuesday tue tues",
        "среда среду ср wednesday wed",
        "четверг чт чет thursday thu thur thurs",
        "пятница пятницу пт пят friday fri",
        "суббота субботу сб суб saturday sat",
        "воскресенье воскресение вс вос воск sunday sun",
    )
)
# A weekday after a deadline's word: ``до пятницы``, ``к пятнице`` (not alone: ``в среде``
# is "in the environment").
WEEKDAYS_AFTER_LEAD = _vocab(
    (
        "понедельника понедельнику",
        "вторника вторнику",
        "среды среде",
        "четверга четвергу",
        "пятницы пятнице",
        "субботы субботе",
        "воскресенья воскресенью",
    )
)
MONTHS = _vocab(
    (
        "январь января янв january jan",
        "февраль февраля фев февр february feb",
        "март марта мар march mar",
        "апрель апреля апр april apr",
        "май мая may",
        "июнь июня июн june jun",
        "июль июля июл july jul",
        "август августа авг august aug",
        "сентябрь сентября сен сент september sep sept",
        "октябрь октября окт october oct",
        "ноябрь ноября ноя нояб november nov",
        "декабрь декабря дек december dec",
    ),
    start=1,
)
DAY_WORDS: dict[tuple[str, ...], int] = {
    ("сегодня",): 0,
    ("today",): 0,
    ("завтра",): 1,
    ("tomorrow",): 1,
    ("tmrw",): 1,
    ("послезавтра",): 2,
    ("day", "after", "tomorrow"): 2,
    ("вчера",): -1,
    ("yesterday",): -1,
    ("позавчера",): -2,
}
# "через N ..." / "in N ...": each row's spellings, then its size in (days, minutes, months).
_UNIT_ROWS = _vocab(
    (
        "м мин минута минуту минуты минут m min mins minute minutes",
        "ч час часа часов h hr hrs hour hours",
        "д день дня дней сутки суток d day days",
        "нед неделя неделю недели недель w wk wks week weeks",
        "мес месяц месяца месяцев month months",
    )
)
_SIZES: tuple[Shift, ...] = ((0, 1, 0), (0, 60, 0), (1, 0, 0), (7, 0, 0), (0, 0, 1))
UNITS = {word: _SIZES[row] for word, row in _UNIT_ROWS.items()}
BARE_UNITS = frozenset(_vocab(("минуту час день сутки неделю месяц minute hour day week month",)))
COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "пару": 2, "two": 2}
HALVES: dict[tuple[str, ...], int] = {
    ("полчаса",): 30,
    ("полтора", "часа"): 90,
    ("half", "an", "hour"): 30,
    ("half", "hour"): 30,
}
SHIFT_WORDS = frozenset({"через", "in"})
NEXT = frozenset(
    {"next", "следующий", "следующую", "следующее", "следующая", "следующей", "следующего"}
    | {"следующему", "след"}
)
THIS = frozenset({"this", "эту", "этот", "эта", "это", "этой", "этого", "этому"})
# Words of a deadline before a day: ``до пятницы``, ``к пятнице``, ``by Friday``; ``к`` and
# ``before`` lead a weekday only (``к 10.30`` is a time), the others a day word too.
DEADLINE_PREPS = frozenset({"до", "к", "by", "before"})
DEADLINE_WEEKDAY_ONLY = frozenset({"к", "before"})
DAY_PREPS = frozenset({"на", "on", "в", "во"})
WEEKDAY_ONLY_PREPS = frozenset({"в", "во"})  # "в пятницу", but "в 10" is an hour
TIME_PREPS = frozenset({"в", "во", "at", "к", "@"})
# A deadline's words before a time, read so after a day only (``до пятницы до 18:00``,
# ``завтра до 12``): alone, ``до 12`` may end a span (``с 10 до 12``).
TIME_LEADS_AFTER_DAY = frozenset({"до", "около", "by", "before", "around"})
HOUR_WORDS = frozenset({"ч", "час", "часа", "часов"})
NAMED_TIMES = {"noon": (12, 0), "полдень": (12, 0), "midnight": (0, 0), "полночь": (0, 0)}
YEAR_WORDS = frozenset({"г", "год", "года"})
# 12-hour reading -> 24-hour clock; hours outside a word's table are an error, not a guess.
MERIDIEM: dict[str, dict[int, int]] = {
    "am": {12: 0, **{h: h for h in range(1, 12)}},
    "pm": {12: 12, **{h: h + 12 for h in range(1, 12)}},
    "утра": {h: h for h in range(1, 12)},
    "дня": {12: 12, **{h: h + 12 for h in range(1, 7)}},
    "вечера": {h: h + 12 for h in range(4, 12)},
    "ночи": {12: 0, **{h: h for h in range(1, 6)}, **{h: h + 12 for h in range(9, 12)}},
}
MERIDIEM_ALIASES = {"утром": "утра", "днем": "дня", "вечером": "вечера", "ночью": "ночи"}
DayPart = Literal["morning", "afternoon", "evening"]
DAY_PARTS: dict[DayPart, tuple[int, int]] = {
    "morning": (9, 0),
    "afternoon": (13, 0),
    "evening": (18, 0),
}
PART_WORDS: dict[str, DayPart] = {
    "утром": "morning",
    "morning": "morning",
    "днем": "afternoon",
    "afternoon": "afternoon",
    "вечером": "evening",
    "evening": "evening",
    "tonight": "evening",
}
PART_LEADS = (("in", "the"), ("this",))  # "in the morning", "this evening"
NEXT_WEEK: dict[tuple[str, ...], int] = {
    ("на", "следующей", "неделе"): 0,
    ("на", "след", "неделе"): 0,
    ("следующей", "неделе"): 0,
    ("next", "week"): 0,
}

TOKEN = re.compile(r"(?:\d,\d|[^\s,;])+")  # "1,5" is one word
CLOCK_WORD = re.compile(r"(?P<h>\d{1,2})(?:(?P<sep>[:.\-])(?P<m>\d{2}))?(?P<suffix>[a-zа-я]*)")
NUMERIC_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?")
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DAY_OF_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
YEAR = re.compile(r"(\d{4})(?:г|года)?")
COUNT = re.compile(r"(\d{1,4})([a-zа-я]*)")
FRACTION = re.compile(r"(\d{1,2})[.,](\d{1,2})([a-zа-я]*)")  # "1.5 часа", "1,5ч"
