"""When a task is due, as people type it: ``завтра в 10``, ``пт 15:30``, ``in 2 hours``, ``25.12``.

A line that says what to do too is read by ``crm.parsing.when_in_line`` (its start, its end,
or a clock time in its middle).

Pure: no I/O and no clock of its own (``now`` is passed in); standard-library ``zoneinfo`` only.
Everything is read as wall-clock time in the user's zone and returned in UTC, whole minutes,
except a shift in minutes or hours, which is exact (see below).

The ambiguous cases are settled so that a reminder never lands on a silent guess:

- a bare number (``10``) is not a time: an hour needs ``в``/``at``/``к`` (``в 10``) or a marker
  (``10:00``, ``9am``, ``21ч``, ``9 утра``);
- ``d.m`` is a date (``9.03`` is 9 March); it is a time only after ``в``/``at`` (``в 9.30``) or
  after a day (``завтра 10.30``, where a second date would make no sense); an impossible date such
  as ``9.30`` is an error, never re-read as a time;
- ``в 9-30``/``завтра 18-00`` are times (a dash as the dot above), but not ``в 10-12``, a span
  of hours (the minutes a later hour under 24, not starting with 0), nor a bare ``9-30``;
- ``a/b`` is always day/month, as in Russia: ``12/25`` is an error, not 25 December;
- a time with no day that has already passed today means tomorrow;
- a date with no year that is before today means next year, or, given ``recent_days``, this
  year's when it was at most that many days ago (a deal's close date may be late: ``05.12`` on
  6 December is yesterday, not a year ahead; ``20.12`` on 5 January is last December's);
- a weekday is its next occurrence; today's weekday means today only when a time later than now
  is given (``в пятницу 15:30`` on a Friday at 12:00), otherwise a week ahead;
  ``next``/``следующий`` always skips today; ``this``/``в эту`` (``this Friday`` on a Friday)
  is today; a deadline's weekday (``до пятницы``, ``к пятнице``, ``by Friday``) is the
  weekday as above, and ``до``/``by`` lead a day word too (``до завтра``), not a date;
  after a day they lead its time too (``до пятницы до 18:00``, ``завтра by 6pm``: that day
  at that time), but not alone (``до 12`` may end ``с 10 до 12``);
- a day with no time gets ``default_hour`` and ``has_time=False``; such a day is in the past only
  when the day itself is before today (a bare ``сегодня`` at 15:00 is fine);
- ``через 3 дня``/``через неделю``/``in a month`` are a day: ``default_hour`` and
  ``has_time=False`` unless a time is given (``через неделю в 15``); a month is a calendar month
  (31 January + 1 month = 28/29 February);
- ``через 2 часа``/``in 30 min``/``через 1,5 часа``/``in 1.5 hours`` (a fraction of hours only,
  in whole minutes) are now + exactly that, seconds kept (a fraction of a second is
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
from calendar import isleap, monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from crm.parsing.when_reading import Day, Reading, WhenError, checked_date, read, tokenize
from crm.parsing.when_words import DAY_PARTS, Clock, DayPart

__all__ = ["DAY_PARTS", "DayPart", "When", "WhenError", "moment", "parse_when"]

_REST_LEAD = re.compile(r"^[\s,;:.\-—–]+")


MIN_YEAR = 1900  # an earlier year is a typo, even where a past date is allowed
MAX_YEARS_AHEAD = 100  # as "через 100 лет": further is a typo


@dataclass(frozen=True)
class When:
    """A due moment in UTC, whether the user named the time, and the words after it."""

    at: datetime
    has_time: bool
    rest: str


def parse_when(
    text: str,
    now: datetime,
    tz: str,
    default_hour: int = 10,
    allow_past: bool = False,
    day_parts: Mapping[DayPart, Clock] = DAY_PARTS,
    recent_days: int = 0,
) -> When:
    """The moment for a text that is nothing but a date/time (the user answered "when?").
    ``recent_days``: a day and month with no year as many days ago or fewer is that past
    day (with ``allow_past``), not next year's."""
    return moment(
        text, now, tz, default_hour, allow_past, day_parts, whole=True, recent=recent_days
    )


def moment(
    text: str,
    now: datetime,
    tz: str,
    default_hour: int,
    allow_past: bool,
    day_parts: Mapping[DayPart, Clock],
    whole: bool,
    recent: int = 0,
) -> When:
    """The moment ``text`` says: all of it (``whole``), or its start, the words after it
    left as ``rest``."""
    if not text.strip():
        raise WhenError("empty")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    words, ends = tokenize(text)
    reading = read(words, day_parts)
    rest = " ".join(_REST_LEAD.sub("", text[ends[reading.end - 1] :]).split())
    if whole and rest:
        raise WhenError("not_a_date")
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    now_utc = now.astimezone(UTC).replace(second=0, microsecond=0)
    try:
        at, has_time = _resolve(reading, local_now, now_utc, zone, default_hour, recent)
    except OverflowError:
        raise WhenError("not_a_date") from None
    if not MIN_YEAR <= at.astimezone(zone).year <= local_now.year + MAX_YEARS_AHEAD:
        raise WhenError("not_a_date")  # 31.12.9999: a typo, and a repeat past it overflows
    past = at < now_utc if has_time else at.astimezone(zone).date() < local_now.date()
    if past and not allow_past:
        raise WhenError("in_the_past")
    return When(at=at, has_time=has_time, rest=rest)


def _resolve(
    reading: Reading,
    local_now: datetime,
    now_utc: datetime,
    zone: ZoneInfo,
    default_hour: int,
    recent: int = 0,
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
    target = _date_of(day, clock, local_now, now_utc, zone, recent)
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
    day: Day,
    clock: Clock | None,
    local_now: datetime,
    now_utc: datetime,
    zone: ZoneInfo,
    recent: int = 0,
) -> date:
    today = local_now.date()
    if day.offset is not None:
        return _add_months(today + timedelta(days=day.offset), day.months)
    if day.weekday is not None:
        ahead = (day.weekday - today.weekday()) % 7
        later_today = clock is not None and _instant(today, clock, zone) >= now_utc
        if ahead == 0 and not day.this and (day.strict or not later_today):
            ahead = 7
        return today + timedelta(days=ahead)
    year = day.year
    if year is None:
        if recent and (day.month, day.dom) != (today.month, today.day):
            last = _last_of(day, today)  # this year's when it has passed, else last year's
            if last is not None and (today - last).days <= recent:
                return last
        year = today.year + ((day.month, day.dom) < (today.month, today.day))
        if (day.month, day.dom) == (2, 29) and not isleap(year):
            # The coming February has no 29th: say which one has (every fourth year or so).
            ahead = next(y for y in range(year + 1, year + 9) if isleap(y))
            raise WhenError("no_such_day", next_day=date(ahead, 2, 29))
    elif not MIN_YEAR <= year <= today.year + MAX_YEARS_AHEAD:
        raise WhenError("bad_year")  # 01.01.0000 (no such year), 1.01.1025: a typo
    return checked_date(year, day.month, day.dom)


def _last_of(day: Day, today: date) -> date | None:
    """The last ``day.dom``.``day.month`` before ``today`` (None: no such day that year)."""
    year = today.year - ((day.month, day.dom) > (today.month, today.day))
    try:
        return date(year, day.month, day.dom)
    except ValueError:
        return None


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
