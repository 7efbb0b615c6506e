"""When a task is due, as people type it: ``завтра в 10``, ``пт 15:30``, ``in 2 hours``, ``25.12``.

Pure: no I/O and no clock of its own (``now`` is passed in); standard-library ``zoneinfo`` only.
Everything is read as wall-clock time in the user's zone and returned in UTC, whole minutes,
except a shift in minutes or hours, which is exact (see below).

The ambiguous cases are settled so that a reminder never lands on a silent guess:

- a bare number (``10``) is not a time: an hour needs ``в``/``at``/``к`` (``в 10``) or a marker
  (``10:00``, ``9am``, ``21ч``, ``9 утра``);
- ``d.m`` is a date (``9.03`` is 9 March); it is a time only after ``в``/``at`` (``в 9.30``) or
  after a day (``завтра 10.30``, where a second date would make no sense); an impossible date such
  as ``9.30`` is an error, never re-read as a time;
- ``a/b`` is always day/month, as in Russia: ``12/25`` is an error, not 25 December;
- a time with no day that has already passed today means tomorrow;
- a date with no year that is before today means next year;
- a weekday is its next occurrence; today's weekday means today only when a time later than now
  is given (``в пятницу 15:30`` on a Friday at 12:00), otherwise a week ahead;
  ``next``/``следующий`` always skips today;
- a day with no time gets ``default_hour`` and ``has_time=False``; such a day is in the past only
  when the day itself is before today (a bare ``сегодня`` at 15:00 is fine);
- ``через 3 дня``/``через неделю``/``in a month`` are a day: ``default_hour`` and
  ``has_time=False`` unless a time is given (``через неделю в 15``); a month is a calendar month
  (31 January + 1 month = 28/29 February);
- ``через 2 часа``/``in 30 min`` are now + exactly that, seconds kept (a fraction of a second is
  rounded up, so a reminder is never earlier than asked), counting real elapsed time across DST;
  mixed with days (``через 1 день 2 часа``) the day keeps the current wall-clock time;
- parts of the day are times: ``утром``/``morning`` 09:00, ``днём``/``afternoon`` 13:00,
  ``вечером``/``evening`` 18:00 (the ``day_parts`` parameter changes them); ``сегодня вечером``,
  ``завтра днём``; alone (``утром``) the next such time, as any time without a day;
- ``на следующей неделе``/``next week`` is next Monday (never today) at ``default_hour``;
- ``полночь``/``midnight``/``12 ночи``/``12am`` are 00:00 of the day they are attached to;
- a wall time skipped by a DST jump (02:30 on a spring-forward night) moves forward by the gap.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

WhenCode = Literal["not_a_date", "in_the_past", "empty"]


@dataclass(frozen=True)
class When:
    """A due moment in UTC, whether the user named the time, and the words after it."""

    at: datetime
    has_time: bool
    rest: str


class WhenError(ValueError):
    """``code`` is ``not_a_date``, ``in_the_past`` or ``empty``."""

    def __init__(self, code: WhenCode) -> None:
        super().__init__(code)
        self.code: WhenCode = code


def _vocab(rows: tuple[str, ...], start: int = 0) -> dict[str, int]:
    """Spelling -> index of its row; keeps the tables below one line per meaning."""
    return {word: index for index, row in enumerate(rows, start) for word in row.split()}


_WEEKDAYS = _vocab(
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
_MONTHS = _vocab(
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
_DAY_WORDS: dict[tuple[str, ...], int] = {
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
Shift = tuple[int, int, int]  # days, minutes, months
_SIZES: tuple[Shift, ...] = ((0, 1, 0), (0, 60, 0), (1, 0, 0), (7, 0, 0), (0, 0, 1))
_UNITS = {word: _SIZES[row] for word, row in _UNIT_ROWS.items()}
_BARE_UNITS = frozenset(_vocab(("минуту час день сутки неделю месяц minute hour day week month",)))
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "пару": 2, "two": 2}
_HALVES: dict[tuple[str, ...], int] = {
    ("полчаса",): 30,
    ("полтора", "часа"): 90,
    ("half", "an", "hour"): 30,
    ("half", "hour"): 30,
}
_SHIFT_WORDS = frozenset({"через", "in"})
_NEXT = frozenset({"next", "следующий", "следующую", "следующее", "следующая", "след"})
_DAY_PREPS = frozenset({"на", "on", "в", "во"})
_WEEKDAY_ONLY_PREPS = frozenset({"в", "во"})  # "в пятницу", but "в 10" is an hour
_TIME_PREPS = frozenset({"в", "во", "at", "к", "@"})
_HOUR_WORDS = frozenset({"ч", "час", "часа", "часов"})
_NAMED_TIMES = {"noon": (12, 0), "полдень": (12, 0), "midnight": (0, 0), "полночь": (0, 0)}
_YEAR_WORDS = frozenset({"г", "год", "года"})
# 12-hour reading -> 24-hour clock; hours outside a word's table are an error, not a guess.
_MERIDIEM: dict[str, dict[int, int]] = {
    "am": {12: 0, **{h: h for h in range(1, 12)}},
    "pm": {12: 12, **{h: h + 12 for h in range(1, 12)}},
    "утра": {h: h for h in range(1, 12)},
    "дня": {12: 12, **{h: h + 12 for h in range(1, 7)}},
    "вечера": {h: h + 12 for h in range(4, 12)},
    "ночи": {12: 0, **{h: h for h in range(1, 6)}, **{h: h + 12 for h in range(9, 12)}},
}
_MERIDIEM_ALIASES = {"утром": "утра", "днем": "дня", "вечером": "вечера", "ночью": "ночи"}
DayPart = Literal["morning", "afternoon", "evening"]
DAY_PARTS: dict[DayPart, tuple[int, int]] = {
    "morning": (9, 0),
    "afternoon": (13, 0),
    "evening": (18, 0),
}
_PART_WORDS: dict[str, DayPart] = {
    "утром": "morning",
    "morning": "morning",
    "днем": "afternoon",
    "afternoon": "afternoon",
    "вечером": "evening",
    "evening": "evening",
    "tonight": "evening",
}
_PART_LEADS = (("in", "the"), ("this",))  # "in the morning", "this evening"
_NEXT_WEEK: dict[tuple[str, ...], int] = {
    ("на", "следующей", "неделе"): 0,
    ("на", "след", "неделе"): 0,
    ("следующей", "неделе"): 0,
    ("next", "week"): 0,
}

_TOKEN = re.compile(r"[^\s,;]+")
_REST_LEAD = re.compile(r"^[\s,;:.\-—–]+")
_CLOCK = re.compile(r"(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2}))?(?P<suffix>[a-zа-я]*)")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_OF_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")
_YEAR = re.compile(r"(\d{4})(?:г|года)?")
_COUNT = re.compile(r"(\d{1,4})([a-zа-я]*)")

Clock = tuple[int, int]


@dataclass(frozen=True)
class _Day:
    """A day as written, resolved against ``now`` only once the time (if any) is known."""

    offset: int | None = None  # days from today: сегодня, завтра, через 3 дня
    weekday: int | None = None
    strict: bool = False  # "next friday": never today
    dom: int = 0
    month: int = 0
    year: int | None = None
    months: int = 0  # "через месяц": calendar months after ``offset`` days
    keeps_time: bool = False  # "через 1 день 2 часа" keeps the time of day


@dataclass(frozen=True)
class _Reading:
    day: _Day | None
    clock: Clock | None
    minutes: int  # "через 2 часа": real minutes added after the day part
    end: int  # tokens consumed


def parse_when(
    text: str,
    now: datetime,
    tz: str,
    default_hour: int = 10,
    allow_past: bool = False,
    day_parts: Mapping[DayPart, Clock] = DAY_PARTS,
) -> When:
    """The moment for a text that is nothing but a date/time (the user answered "when?")."""
    return _when(text, now, tz, default_hour, allow_past, day_parts, whole=True)


def split_when(
    text: str,
    now: datetime,
    tz: str,
    default_hour: int = 10,
    day_parts: Mapping[DayPart, Clock] = DAY_PARTS,
) -> When:
    """The moment at the start of a line such as ``завтра в 10 позвонить Ивану``, and the rest."""
    return _when(text, now, tz, default_hour, False, day_parts, whole=False)


def _when(
    text: str,
    now: datetime,
    tz: str,
    default_hour: int,
    allow_past: bool,
    day_parts: Mapping[DayPart, Clock],
    whole: bool,
) -> When:
    if not text.strip():
        raise WhenError("empty")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    words, ends = _tokenize(text)
    reading = _read(words, day_parts)
    rest = " ".join(_REST_LEAD.sub("", text[ends[reading.end - 1] :]).split())
    if whole and rest:
        raise WhenError("not_a_date")
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    now_utc = now.astimezone(UTC).replace(second=0, microsecond=0)
    try:
        at, has_time = _resolve(reading, local_now, now_utc, zone, default_hour)
    except OverflowError:
        raise WhenError("not_a_date") from None
    past = at < now_utc if has_time else at.astimezone(zone).date() < local_now.date()
    if past and not allow_past:
        raise WhenError("in_the_past")
    return When(at=at, has_time=has_time, rest=rest)


def _tokenize(text: str) -> tuple[list[str], list[int]]:
    """Normalised words and where each ends in the original, so ``rest`` keeps its spelling."""
    words: list[str] = []
    ends: list[int] = []
    for match in _TOKEN.finditer(text):
        word = match.group().lower().replace("ё", "е").rstrip(".:")
        if not any(char.isdigit() for char in word):
            word = word.replace(".", "")  # "a.m." -> "am"; dots inside dates stay
        if word:
            words.append(word)
            ends.append(match.end())
    return words, ends


def _read(words: list[str], day_parts: Mapping[DayPart, Clock]) -> _Reading:
    """At most one day part and one time part, in either order, from the first word on."""
    shift = _read_shift(words, 0)
    if shift is not None and shift[0][1]:
        (days, minutes, months), end = shift
        return _Reading(_Day(offset=days, months=months, keeps_time=True), None, minutes, end)
    day: _Day | None = None
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
    return _Reading(day, clock, 0, i)


def _match_phrase(words: list[str], i: int, table: dict[tuple[str, ...], int]) -> tuple[int, int]:
    """(value, next index) for the longest phrase of ``table`` at ``i``, or (0, i)."""
    for phrase in sorted(table, key=len, reverse=True):
        if tuple(words[i : i + len(phrase)]) == phrase:
            return table[phrase], i + len(phrase)
    return 0, i


def _read_shift(words: list[str], i: int) -> tuple[Shift, int] | None:
    """``через 2 часа 30 минут`` / ``in a week`` as (days, minutes, months)."""
    if i >= len(words) or words[i] not in _SHIFT_WORDS:
        return None
    j, days, minutes, months = i + 1, 0, 0, 0
    while j < len(words):
        half, after = _match_phrase(words, j, _HALVES)
        if after > j:
            minutes, j = minutes + half, after
            continue
        count, unit, after = _read_amount(words, j)
        if unit is None or count == 0:
            break
        days, minutes, j = days + count * unit[0], minutes + count * unit[1], after
        months += count * unit[2]
        if j + 1 < len(words) and words[j] in ("и", "and") and _read_amount(words, j + 1)[1]:
            j += 1
    return ((days, minutes, months), j) if j > i + 1 else None


def _read_amount(words: list[str], j: int) -> tuple[int, Shift | None, int]:
    """(count, unit, next index) for ``2 часа``, ``2ч``, ``an hour``, ``час``; unit None if not."""
    nxt = words[j + 1] if j + 1 < len(words) else ""
    if match := _COUNT.fullmatch(words[j]):
        if match[2]:
            return int(match[1]), _UNITS.get(match[2]), j + 1
        return int(match[1]), _UNITS.get(nxt), j + 2
    if words[j] in _COUNT_WORDS:
        return _COUNT_WORDS[words[j]], _UNITS.get(nxt), j + 2
    if words[j] in _BARE_UNITS:
        return 1, _UNITS[words[j]], j + 1
    return 0, None, j


def _read_day(words: list[str], i: int) -> tuple[_Day, int] | None:
    """A weekday, a day word, a shift in whole days or a calendar date, with its preposition."""
    _, after = _match_phrase(words, i, _NEXT_WEEK)
    if after > i:
        return _Day(weekday=0, strict=True), after
    j = i
    prep = words[j] if words[j] in _DAY_PREPS else ""
    j += bool(prep)
    strict = j < len(words) and words[j] in _NEXT
    j += strict
    if j >= len(words):
        return None
    if words[j] in _WEEKDAYS:
        return _Day(weekday=_WEEKDAYS[words[j]], strict=strict), j + 1
    if strict or prep in _WEEKDAY_ONLY_PREPS:
        return None
    offset, after = _match_phrase(words, j, _DAY_WORDS)
    if after > j:
        return _Day(offset=offset), after
    shift = None if prep else _read_shift(words, j)
    if shift is not None:
        (days, minutes, months), after = shift
        return (_Day(offset=days, months=months), after) if not minutes else None
    return _read_date(words, j)


def _read_date(words: list[str], j: int) -> tuple[_Day, int] | None:
    """``25.12``, ``25/12/26``, ``2026-12-25``, ``25 декабря 2026``, ``Dec 25th``."""
    word = words[j]
    if match := _ISO_DATE.fullmatch(word):
        return _date(int(match[3]), int(match[2]), int(match[1])), j + 1
    if match := _NUMERIC_DATE.fullmatch(word):
        year = None if match[3] is None else int(match[3])
        if year is not None and len(match[3]) == 2:
            year += 2000  # "25.12.26"
        return _date(int(match[1]), int(match[2]), year), j + 1
    nxt = words[j + 1] if j + 1 < len(words) else ""
    if (match := _DAY_OF_MONTH.fullmatch(word)) and nxt in _MONTHS:
        dom, month = int(match[1]), _MONTHS[nxt]
    elif word in _MONTHS and (match := _DAY_OF_MONTH.fullmatch(nxt)):
        dom, month = int(match[1]), _MONTHS[word]
    else:
        return None
    j += 2
    year = None
    if j < len(words) and (match := _YEAR.fullmatch(words[j])):
        year, j = int(match[1]), j + 1
        j += j < len(words) and words[j] in _YEAR_WORDS
    return _date(dom, month, year), j


def _date(dom: int, month: int, year: int | None) -> _Day:
    """A calendar date, checked now when the year is known, at resolution time otherwise."""
    if not (1 <= month <= 12 and 1 <= dom <= 31):
        raise WhenError("not_a_date")
    if year is not None:
        _checked_date(year, month, dom)
    return _Day(dom=dom, month=month, year=year)


def _checked_date(year: int, month: int, dom: int) -> date:
    try:
        return date(year, month, dom)
    except ValueError:
        raise WhenError("not_a_date") from None


def _read_part(
    words: list[str], i: int, day_parts: Mapping[DayPart, Clock]
) -> tuple[Clock, int] | None:
    """``вечером``, ``in the morning``, ``this evening`` as the clock ``day_parts`` gives."""
    for lead in ((), *_PART_LEADS):
        j = i + len(lead)
        if tuple(words[i:j]) == lead and j < len(words) and words[j] in _PART_WORDS:
            return day_parts[_PART_WORDS[words[j]]], j + 1
    return None


def _read_clock(
    words: list[str], i: int, day: _Day | None, day_parts: Mapping[DayPart, Clock]
) -> tuple[Clock, int] | None:
    """``в 10``, ``10:30``, ``в 10.30``, ``9am``, ``9 pm``, ``21ч``, ``в 2 часа дня``, ``noon``."""
    if (part := _read_part(words, i, day_parts)) is not None:
        return part
    after_day = day is not None
    prep = words[i] in _TIME_PREPS
    j = i + prep
    if j >= len(words):
        return None
    if words[j] in _NAMED_TIMES:
        return _NAMED_TIMES[words[j]], j + 1
    match = _CLOCK.fullmatch(words[j])
    if match is None:
        return None
    hour, minute, sep = int(match["h"]), int(match["m"] or 0), match["sep"]
    marker, j = match["suffix"], j + 1
    nxt = words[j] if j < len(words) else ""
    nxt = _MERIDIEM_ALIASES.get(nxt, nxt)
    if not marker and (nxt in _HOUR_WORDS or nxt in _MERIDIEM):
        marker, j = nxt, j + 1
    meridiem = marker if marker in _MERIDIEM else None
    after = _MERIDIEM_ALIASES.get(words[j], words[j]) if j < len(words) else ""
    if marker in _HOUR_WORDS and after in _MERIDIEM:
        meridiem, j = after, j + 1
    if marker and marker not in _HOUR_WORDS and meridiem is None:
        return None  # "10abc", "25th"
    marked = sep == ":" or meridiem is not None or marker == "ч"
    if sep == "." and not (prep or after_day):
        return None  # "9.03" is a date
    if not (prep or marked or (sep and after_day)):
        return None  # a bare "10" is too ambiguous
    if not sep and not marker and (hour > 23 or nxt in _MONTHS):
        return None  # "в 25 кабинете", "в 10 декабря" are not hours
    if meridiem is not None:
        hour = _apply_meridiem(hour, meridiem)
    if hour > 23 or minute > 59:
        raise WhenError("not_a_date")
    return (hour, minute), j


def _apply_meridiem(hour: int, word: str) -> int:
    """``7 вечера`` -> 19; ``19 вечера`` says it twice and is accepted; ``3 вечера`` is not."""
    table = _MERIDIEM[word]
    if hour in table:
        return table[hour]
    if hour > 12 and word not in ("am", "pm", "утра") and hour in table.values():
        return hour
    raise WhenError("not_a_date")


def _resolve(
    reading: _Reading, local_now: datetime, now_utc: datetime, zone: ZoneInfo, default_hour: int
) -> tuple[datetime, bool]:
    """The UTC moment and ``has_time`` for what was read, on the user's wall clock."""
    today = local_now.date()
    day, clock = reading.day, reading.clock
    if day is None:
        assert clock is not None
        at = _instant(today, clock, zone)
        if at < now_utc:
            at = _instant(today + timedelta(days=1), clock, zone)
        return at, True
    target = _date_of(day, clock, local_now, now_utc, zone)
    if clock is not None:
        return _instant(target, clock, zone), True
    if day.keeps_time:
        # Same day: start from the real now, so an hour-long shift stays an hour inside a DST fold;
        # seconds are kept and a fraction rounded up: never earlier than asked.
        exact = local_now.astimezone(UTC)
        if exact.microsecond:
            exact = exact.replace(microsecond=0) + timedelta(seconds=1)
        wall = exact.astimezone(zone)
        base = exact
        if target != today:
            base = _instant(target, (wall.hour, wall.minute), zone)
            base += timedelta(seconds=wall.second)
        return base + timedelta(minutes=reading.minutes), True
    return _instant(target, (default_hour, 0), zone), False


def _date_of(
    day: _Day, clock: Clock | None, local_now: datetime, now_utc: datetime, zone: ZoneInfo
) -> date:
    today = local_now.date()
    if day.offset is not None:
        return _add_months(today + timedelta(days=day.offset), day.months)
    if day.weekday is not None:
        ahead = (day.weekday - today.weekday()) % 7
        later_today = clock is not None and _instant(today, clock, zone) >= now_utc
        if ahead == 0 and (day.strict or not later_today):
            ahead = 7
        return today + timedelta(days=ahead)
    year = day.year
    if year is None:
        year = today.year + ((day.month, day.dom) < (today.month, today.day))
    return _checked_date(year, day.month, day.dom)


def _add_months(day: date, months: int) -> date:
    """``day`` a calendar ``months`` later; 31 January + 1 is the last day of February."""
    if not months:
        return day
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, monthrange(year, month + 1)[1]))


def _instant(day: date, clock: Clock, zone: ZoneInfo) -> datetime:
    """Wall-clock ``day`` at ``clock`` in ``zone``, as UTC (zoneinfo applies that day's offset)."""
    return datetime(day.year, day.month, day.day, *clock, tzinfo=zone).astimezone(UTC)
