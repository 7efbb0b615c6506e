"""Due dates as people type them, read on the user's wall clock and returned in UTC.

Expectations are local wall-clock strings, so a table row reads the way a user would check it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from crm.parsing.when import DayPart, When, WhenError, parse_when
from crm.parsing.when_in_line import split_when

MSK = "Europe/Moscow"
NY = "America/New_York"
BERLIN = "Europe/Berlin"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2026-03-02, 12:00 in Moscow


def wall(text: str, tz: str = MSK) -> datetime:
    """``"2026-03-03 10:00"`` on the wall clock of ``tz``, as the UTC moment the parser returns."""
    naive = datetime.strptime(text, "%Y-%m-%d %H:%M")
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "expected", "has_time"),
    [
        # Russian day words and times
        ("завтра в 10", "2026-03-03 10:00", True),
        ("завтра 10:30", "2026-03-03 10:30", True),
        ("завтра 10.30", "2026-03-03 10:30", True),
        ("завтра в 10.30", "2026-03-03 10:30", True),
        ("сегодня в 18", "2026-03-02 18:00", True),
        ("сегодня", "2026-03-02 10:00", False),  # a day-only today is not "in the past"
        ("послезавтра", "2026-03-04 10:00", False),
        ("на завтра", "2026-03-03 10:00", False),
        ("в 10 завтра", "2026-03-03 10:00", True),
        ("завтра, в 10.", "2026-03-03 10:00", True),
        ("завтра в 10 часов", "2026-03-03 10:00", True),
        # shifts
        ("через 2 часа", "2026-03-02 14:00", True),
        ("через 15 минут", "2026-03-02 12:15", True),
        ("через 15 мин", "2026-03-02 12:15", True),
        ("через 2ч", "2026-03-02 14:00", True),
        ("через час", "2026-03-02 13:00", True),
        ("через полчаса", "2026-03-02 12:30", True),
        ("через полтора часа", "2026-03-02 13:30", True),
        ("через 1 час и 30 минут", "2026-03-02 13:30", True),
        # an hour and a half in digits, with a dot or a comma
        ("через 1.5 часа", "2026-03-02 13:30", True),
        ("через 1,5 часа", "2026-03-02 13:30", True),
        ("через 1,5ч", "2026-03-02 13:30", True),
        ("in 1.5 hours", "2026-03-02 13:30", True),
        ("in 2.25 hours", "2026-03-02 14:15", True),
        # a deadline's weekday, and "this" one
        ("до пятницы", "2026-03-06 10:00", False),
        ("к пятнице", "2026-03-06 10:00", False),
        ("в эту пятницу", "2026-03-06 10:00", False),
        ("до этой пятницы", "2026-03-06 10:00", False),
        ("до среды 18:00", "2026-03-04 18:00", True),
        ("к понедельнику в 9", "2026-03-09 09:00", True),
        ("до следующей пятницы", "2026-03-06 10:00", False),
        ("by Friday", "2026-03-06 10:00", False),
        ("this Friday", "2026-03-06 10:00", False),
        ("by friday 3pm", "2026-03-06 15:00", True),
        ("before friday", "2026-03-06 10:00", False),
        ("до завтра", "2026-03-03 10:00", False),
        ("by tomorrow", "2026-03-03 10:00", False),
        # a deadline's time after its day: that day at that time (once today's 18:00, the
        # day left unread)
        ("до пятницы до 18:00", "2026-03-06 18:00", True),
        ("в пятницу до 18:00", "2026-03-06 18:00", True),
        ("завтра до 12", "2026-03-03 12:00", True),
        ("by friday by 6pm", "2026-03-06 18:00", True),
        ("tomorrow around 3pm", "2026-03-03 15:00", True),
        # a time with a dash, where it is no span of hours
        ("в 9-30", "2026-03-03 09:30", True),
        ("завтра в 9-30", "2026-03-03 09:30", True),
        ("к 18-00", "2026-03-02 18:00", True),
        ("завтра 14-45", "2026-03-03 14:45", True),
        # whole days, weeks and months: the default hour, not the current clock (issue 10)
        ("через 3 дня", "2026-03-05 10:00", False),
        ("через день", "2026-03-03 10:00", False),
        ("через неделю", "2026-03-09 10:00", False),
        ("через 2 недели", "2026-03-16 10:00", False),
        ("через 3 дня в 9", "2026-03-05 09:00", True),
        ("через неделю в 15", "2026-03-09 15:00", True),
        ("через месяц", "2026-04-02 10:00", False),
        ("через 2 месяца", "2026-05-02 10:00", False),
        ("in a month", "2026-04-02 10:00", False),
        ("через 1 день 2 часа", "2026-03-03 14:00", True),  # mixed: keeps the clock
        # parts of the day (now is 12:00 on Monday)
        ("сегодня вечером", "2026-03-02 18:00", True),
        ("вечером", "2026-03-02 18:00", True),
        ("завтра днём", "2026-03-03 13:00", True),
        ("завтра днем", "2026-03-03 13:00", True),
        ("днём", "2026-03-02 13:00", True),
        ("утром", "2026-03-03 09:00", True),  # this morning has passed: the next one
        ("завтра утром", "2026-03-03 09:00", True),
        ("в пятницу вечером", "2026-03-06 18:00", True),
        ("tomorrow morning", "2026-03-03 09:00", True),
        ("this evening", "2026-03-02 18:00", True),
        ("tonight", "2026-03-02 18:00", True),
        ("tomorrow in the afternoon", "2026-03-03 13:00", True),
        ("in the morning", "2026-03-03 09:00", True),
        # next week: next Monday (today is Monday, so a week ahead)
        ("на следующей неделе", "2026-03-09 10:00", False),
        ("next week", "2026-03-09 10:00", False),
        ("на следующей неделе в 15", "2026-03-09 15:00", True),
        # weekdays (today is Monday)
        ("в пятницу 15:30", "2026-03-06 15:30", True),
        ("пт 15:30", "2026-03-06 15:30", True),
        ("пт. 15.30", "2026-03-06 15:30", True),
        ("пятница", "2026-03-06 10:00", False),
        ("во вторник", "2026-03-03 10:00", False),
        ("в среду в 9 утра", "2026-03-04 09:00", True),
        ("в понедельник", "2026-03-09 10:00", False),
        ("в понедельник в 15:00", "2026-03-02 15:00", True),
        ("в понедельник в 11:00", "2026-03-09 11:00", True),
        ("в следующую пятницу", "2026-03-06 10:00", False),
        ("в следующий понедельник в 15", "2026-03-09 15:00", True),
        # dates
        ("25.12 14:30", "2026-12-25 14:30", True),
        ("25.12.2026", "2026-12-25 10:00", False),
        ("25.12.26", "2026-12-25 10:00", False),
        ("25/12", "2026-12-25 10:00", False),
        ("25/12/2026 9:00", "2026-12-25 09:00", True),
        ("2026-12-25", "2026-12-25 10:00", False),
        ("25 декабря", "2026-12-25 10:00", False),
        ("25 декабря в 9", "2026-12-25 09:00", True),
        ("25 дек. 2027 г.", "2027-12-25 10:00", False),
        ("на 25.12", "2026-12-25 10:00", False),
        ("9.03", "2026-03-09 10:00", False),
        ("2 марта", "2026-03-02 10:00", False),  # today: this year
        ("1 марта", "2027-03-01 10:00", False),  # yesterday: next year
        ("1 января", "2027-01-01 10:00", False),
        ("в 10 25.12", "2026-12-25 10:00", True),
        # times alone: past today means tomorrow
        ("10:00", "2026-03-03 10:00", True),
        ("9:00", "2026-03-03 09:00", True),
        ("в 10", "2026-03-03 10:00", True),
        ("в 13", "2026-03-02 13:00", True),
        ("в 12:00", "2026-03-02 12:00", True),  # this very minute is not past
        ("в 10.30", "2026-03-03 10:30", True),
        ("к 15:00", "2026-03-02 15:00", True),
        ("21ч", "2026-03-02 21:00", True),
        ("в 21 ч", "2026-03-02 21:00", True),
        ("в 9 утра", "2026-03-03 09:00", True),
        ("в 7 вечера", "2026-03-02 19:00", True),
        ("в 19 вечера", "2026-03-02 19:00", True),
        ("в 2 часа дня", "2026-03-02 14:00", True),
        ("в 12 дня", "2026-03-02 12:00", True),
        ("в 3 ночи", "2026-03-03 03:00", True),
        ("в 11 ночи", "2026-03-02 23:00", True),
        ("в 12 ночи", "2026-03-03 00:00", True),
        ("в 10:30 вечера", "2026-03-02 22:30", True),
        ("завтра в полдень", "2026-03-03 12:00", True),
        ("в полночь", "2026-03-03 00:00", True),
        # case and ё
        ("ЗАВТРА 10:30", "2026-03-03 10:30", True),
        ("Завтра В 10", "2026-03-03 10:00", True),
        ("В Пятницу", "2026-03-06 10:00", False),
        ("в четвёрг", "2026-03-05 10:00", False),
        ("в 2 часа днём", "2026-03-02 14:00", True),
        # English
        ("tomorrow 9am", "2026-03-03 09:00", True),
        ("tomorrow at 9:30 pm", "2026-03-03 21:30", True),
        ("Tomorrow at 9 p.m.", "2026-03-03 21:00", True),
        ("today 18:00", "2026-03-02 18:00", True),
        ("at 10", "2026-03-03 10:00", True),
        ("in 30 min", "2026-03-02 12:30", True),
        ("in 90m", "2026-03-02 13:30", True),
        ("in 2 hours", "2026-03-02 14:00", True),
        ("in an hour", "2026-03-02 13:00", True),
        ("in half an hour", "2026-03-02 12:30", True),
        ("in 3 days", "2026-03-05 10:00", False),
        ("in a week", "2026-03-09 10:00", False),
        ("next monday", "2026-03-09 10:00", False),
        ("next friday", "2026-03-06 10:00", False),
        ("monday 10am", "2026-03-09 10:00", True),  # 10am today has passed
        ("monday 3pm", "2026-03-02 15:00", True),  # later today
        ("mon 10:00", "2026-03-09 10:00", True),
        ("fri", "2026-03-06 10:00", False),
        ("on Friday", "2026-03-06 10:00", False),
        ("December 25", "2026-12-25 10:00", False),
        ("25 Dec", "2026-12-25 10:00", False),
        ("Dec 25 2pm", "2026-12-25 14:00", True),
        ("Dec 25th, 2026", "2026-12-25 10:00", False),
        ("day after tomorrow", "2026-03-04 10:00", False),
        ("tomorrow noon", "2026-03-03 12:00", True),
        ("midnight", "2026-03-03 00:00", True),
        ("12am", "2026-03-03 00:00", True),
        ("tomorrow 12pm", "2026-03-03 12:00", True),
    ],
)
def test_parse_when(typed: str, expected: str, has_time: bool) -> None:
    when = parse_when(typed, NOW, MSK)
    assert when == When(at=wall(expected), has_time=has_time, rest="")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("10", "not_a_date"),  # a bare number is too ambiguous
        ("32.13", "not_a_date"),
        ("31.02", "no_such_day"),
        ("29.02", "no_such_day"),  # next February (2027) has no 29th
        ("29.02.2027", "no_such_day"),
        ("25:00", "not_a_date"),
        ("в 25:00", "not_a_date"),
        ("10:61", "not_a_date"),
        ("9.30", "not_a_date"),  # a date or nothing, never 09:30
        ("10.30", "not_a_date"),
        ("9-30", "not_a_date"),  # a bare number, as "9": no hour without "в" or a day
        ("в 10-12", "not_a_date"),  # from 10 to 12, not 10:12
        ("через 1.5 дня", "not_a_date"),  # a fraction of hours only
        ("через 1.33 часа", "not_a_date"),  # not whole minutes
        ("через 0.0 часа", "not_a_date"),
        ("к 25.12", "not_a_date"),  # "к" leads a weekday or a time
        ("до 3.2", "not_a_date"),  # a deadline's date is not sought: "до версии 3.2"
        ("в среде", "not_a_date"),  # "in the environment"; "к среде" is Wednesday
        ("this", "not_a_date"),
        ("в эту", "not_a_date"),
        ("до 12", "not_a_date"),  # alone, it may end a span: "с 10 до 12"
        ("12/25", "not_a_date"),  # day/month only, never US month/day
        ("в пятницу 25.12", "not_a_date"),
        ("в 3 вечера", "not_a_date"),
        ("в 13pm", "not_a_date"),
        ("0am", "not_a_date"),
        ("через 0 минут", "not_a_date"),
        ("через 100 лет", "not_a_date"),
        ("next", "not_a_date"),
        ("абракадабра", "not_a_date"),
        ("hello world", "not_a_date"),
        ("завтра абракадабра", "not_a_date"),  # parse_when wants nothing but the date
        ("сегодня завтра", "not_a_date"),
        ("в 10 в 11", "not_a_date"),
        ("вчера", "in_the_past"),
        ("позавчера", "in_the_past"),
        ("yesterday", "in_the_past"),
        ("вчера в 10", "in_the_past"),
        ("сегодня в 10", "in_the_past"),  # a day was given, so no rolling to tomorrow
        ("2 марта в 11:59", "in_the_past"),
        ("25.12.2025", "in_the_past"),
        ("1.03.2026", "in_the_past"),
        # a year no one means is said so (01.01.0000 was "no such day", the others
        # "not a date"); a repeat of 31.12.9999 would run past year 9999
        ("31.12.9999 23:59", "bad_year"),
        ("1.01.2127", "bad_year"),  # more than 100 years ahead
        ("1.01.0001", "bad_year"),
        ("01.01.0000", "bad_year"),
        ("0000-01-01", "bad_year"),
        ("1 января 0000", "bad_year"),
        ("через 101 год", "not_a_date"),  # no year written: not "bad_year"
    ],
)
def test_parse_when_errors(typed: str, code: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(typed, NOW, MSK)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("typed", "expected", "has_time"),
    [
        ("вчера", "2026-03-01 10:00", False),
        ("вчера в 10", "2026-03-01 10:00", True),
        ("сегодня в 10", "2026-03-02 10:00", True),
        ("25.12.2025", "2025-12-25 10:00", False),
    ],
)
def test_allow_past(typed: str, expected: str, has_time: bool) -> None:
    when = parse_when(typed, NOW, MSK, allow_past=True)
    assert (when.at, when.has_time) == (wall(expected), has_time)


@pytest.mark.parametrize("typed", ["1.01.0001", "31.12.1899", "31.12.9999", "01.01.0000"])
def test_a_year_far_off_is_a_typo_even_in_the_past(typed: str) -> None:
    with pytest.raises(WhenError) as caught:
        parse_when(typed, NOW, MSK, allow_past=True)
    assert caught.value.code == "bad_year"


@pytest.mark.parametrize(
    ("line", "expected", "has_time", "rest"),
    [
        ("завтра в 10 позвонить Ивану", "2026-03-03 10:00", True, "позвонить Ивану"),
        ("Завтра В 10 Позвонить Ивану", "2026-03-03 10:00", True, "Позвонить Ивану"),
        ("завтра в офис заехать", "2026-03-03 10:00", False, "в офис заехать"),
        ("завтра 10 звонков сделать", "2026-03-03 10:00", False, "10 звонков сделать"),
        ("завтра в 10 в офисе", "2026-03-03 10:00", True, "в офисе"),
        ("завтра ещё раз позвонить", "2026-03-03 10:00", False, "ещё раз позвонить"),
        ("завтра — позвонить", "2026-03-03 10:00", False, "позвонить"),
        ("завтра: позвонить", "2026-03-03 10:00", False, "позвонить"),
        ("завтра", "2026-03-03 10:00", False, ""),
        (
            "в пятницу 15:30   созвон с  ООО «Ромашка»",
            "2026-03-06 15:30",
            True,
            "созвон с ООО «Ромашка»",
        ),
        ("пт встреча", "2026-03-06 10:00", False, "встреча"),
        ("через 2 часа перезвонить", "2026-03-02 14:00", True, "перезвонить"),
        ("через 3 дня в 9 отчёт", "2026-03-05 09:00", True, "отчёт"),
        ("сегодня вечером позвонить Ивану", "2026-03-02 18:00", True, "позвонить Ивану"),
        ("завтра днём встреча", "2026-03-03 13:00", True, "встреча"),
        ("утром отчёт", "2026-03-03 09:00", True, "отчёт"),
        ("через неделю перезвонить", "2026-03-09 10:00", False, "перезвонить"),
        ("на следующей неделе созвон", "2026-03-09 10:00", False, "созвон"),
        ("next week call Bob", "2026-03-09 10:00", False, "call Bob"),
        ("tomorrow evening dinner", "2026-03-03 18:00", True, "dinner"),
        ("25.12 поздравить Олю", "2026-12-25 10:00", False, "поздравить Олю"),
        ("25 декабря в 9 поздравить", "2026-12-25 09:00", True, "поздравить"),
        ("10:00 планёрка", "2026-03-03 10:00", True, "планёрка"),
        ("в 7 вечера ужин", "2026-03-02 19:00", True, "ужин"),
        ("tomorrow 9am call Bob", "2026-03-03 09:00", True, "call Bob"),
        ("in 30 min send the invoice", "2026-03-02 12:30", True, "send the invoice"),
        ("Dec 25 2pm party", "2026-12-25 14:00", True, "party"),
        ("next monday standup", "2026-03-09 10:00", False, "standup"),
        # the when at the end, when the start is not one (now: Monday 12:00 in Moscow)
        ("позвонить завтра в 10", "2026-03-03 10:00", True, "позвонить"),
        ("позвонить Ивану завтра в 10:30", "2026-03-03 10:30", True, "позвонить Ивану"),
        ("позвонить, завтра в 10.", "2026-03-03 10:00", True, "позвонить"),
        ("позвонить — завтра в 10", "2026-03-03 10:00", True, "позвонить"),
        ("созвон в пятницу в 15", "2026-03-06 15:00", True, "созвон"),
        ("созвон в пятницу 15:30", "2026-03-06 15:30", True, "созвон"),
        ("созвон в пятницу", "2026-03-06 10:00", False, "созвон"),
        ("позвонить Ивану завтра", "2026-03-03 10:00", False, "позвонить Ивану"),
        ("отчёт в 15", "2026-03-02 15:00", True, "отчёт"),
        ("отчёт в 9", "2026-03-03 09:00", True, "отчёт"),  # 09:00 has passed today
        ("перезвонить через 2 часа", "2026-03-02 14:00", True, "перезвонить"),
        ("перезвонить через неделю в 15", "2026-03-09 15:00", True, "перезвонить"),
        ("поздравить Олю 25.12", "2026-12-25 10:00", False, "поздравить Олю"),
        ("оплата 15.03.2026", "2026-03-15 10:00", False, "оплата"),
        ("позвонить 15:30", "2026-03-02 15:30", True, "позвонить"),
        ("встреча в 10 декабря", "2026-12-10 10:00", False, "встреча"),  # no "в" left hanging
        ("поздравить в следующую пятницу в 10 утра", "2026-03-06 10:00", True, "поздравить"),
        ("ужин сегодня вечером", "2026-03-02 18:00", True, "ужин"),
        ("call Bob tomorrow at 10", "2026-03-03 10:00", True, "call Bob"),
        ("call Bob tomorrow at 10:30", "2026-03-03 10:30", True, "call Bob"),
        ("call Bob on friday at 3pm", "2026-03-06 15:00", True, "call Bob"),
        ("call Bob at 15", "2026-03-02 15:00", True, "call Bob"),
        ("send the invoice in 30 min", "2026-03-02 12:30", True, "send the invoice"),
        ("check in tomorrow", "2026-03-03 10:00", False, "check in"),
        # the start still wins, as before: what follows it is the what
        ("завтра позвонить в 10", "2026-03-03 10:00", False, "позвонить в 10"),
        # a clock time with a colon in the middle, with the words that read as one with it
        (
            "позвонить Ивану в 15:00 по договору",
            "2026-03-02 15:00",
            True,
            "позвонить Ивану по договору",
        ),
        (
            "позвонить Ивану завтра в 15:00 по договору",
            "2026-03-03 15:00",
            True,
            "позвонить Ивану по договору",
        ),
        ("встреча в пятницу в 10:30 в офисе", "2026-03-06 10:30", True, "встреча в офисе"),
        ("позвонить в 9:15, уточнить цену", "2026-03-03 09:15", True, "позвонить уточнить цену"),
        (
            "перезвонить через 2 дня в 15:00 насчёт оплаты",
            "2026-03-04 15:00",
            True,
            "перезвонить насчёт оплаты",
        ),
        (
            "выпустить 3.2 в 15:00 и проверить",
            "2026-03-02 15:00",
            True,
            "выпустить 3.2 и проверить",
        ),
        (
            "оплатить 1500.00 к 18:00 поставщику",
            "2026-03-02 18:00",
            True,
            "оплатить 1500.00 поставщику",
        ),
        (
            "call Ivan at 15:00 about the contract",
            "2026-03-02 15:00",
            True,
            "call Ivan about the contract",
        ),
        (
            "call Ivan tomorrow at 9:30 about the contract",
            "2026-03-03 09:30",
            True,
            "call Ivan about the contract",
        ),
        (
            "send the offer on 25.12 at 14:30 to Bob",
            "2026-12-25 14:30",
            True,
            "send the offer to Bob",
        ),
        # a deadline's word is the when's, not the what's
        ("сдать отчёт до 18:00", "2026-03-02 18:00", True, "сдать отчёт"),
        ("до 18:00 сдать отчёт", "2026-03-02 18:00", True, "сдать отчёт"),
        ("сдать отчёт до завтра", "2026-03-03 10:00", False, "сдать отчёт"),
        ("позвонить около 15:00 Ивану", "2026-03-02 15:00", True, "позвонить Ивану"),
        ("send the report by 6pm", "2026-03-02 18:00", True, "send the report"),
        ("send the report before 18:00 to Bob", "2026-03-02 18:00", True, "send the report to Bob"),
        ("сдать отчёт до пятницы", "2026-03-06 10:00", False, "сдать отчёт"),
        ("сдать отчёт к пятнице в 15", "2026-03-06 15:00", True, "сдать отчёт"),
        ("до пятницы сдать отчёт", "2026-03-06 10:00", False, "сдать отчёт"),
        ("позвонить в эту пятницу", "2026-03-06 10:00", False, "позвонить"),
        ("send the report by Friday", "2026-03-06 10:00", False, "send the report"),
        ("call Bob this Friday", "2026-03-06 10:00", False, "call Bob"),
        ("позвонить Ивану в 9-30", "2026-03-03 09:30", True, "позвонить Ивану"),
        ("через 1,5 часа позвонить", "2026-03-02 13:30", True, "позвонить"),
        # today's 18:00 and "сдать отчёт до пятницы", or Friday and "до 18:00 сдать отчёт"
        ("сдать отчёт до пятницы до 18:00", "2026-03-06 18:00", True, "сдать отчёт"),
        ("до пятницы до 18:00 сдать отчёт", "2026-03-06 18:00", True, "сдать отчёт"),
        ("сдать отчёт в пятницу до 18:00", "2026-03-06 18:00", True, "сдать отчёт"),
        ("send the report by Friday by 6pm", "2026-03-06 18:00", True, "send the report"),
    ],
)
def test_split_when(line: str, expected: str, has_time: bool, rest: str) -> None:
    assert split_when(line, NOW, MSK) == When(at=wall(expected), has_time=has_time, rest=rest)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("", "empty"),
        ("10 звонков", "not_a_date"),
        ("сделать 10 звонков", "not_a_date"),  # a bare number at the end is no hour either
        # digits alone at the end are a day only written as dates are: no version, no amount
        ("отгрузить 2.5", "not_a_date"),
        ("обновить до версии 3.2", "not_a_date"),
        ("send invoice 12/5", "not_a_date"),
        ("обновить версию 1.10", "not_a_date"),
        ("встреча в 25 кабинете", "not_a_date"),
        ("встреча с 10 до 12", "not_a_date"),  # a span: neither end is the moment
        # a when in the middle is sought only with a colon's time: no room, money or version
        ("позвонить завтра в 10 Ивану", "not_a_date"),
        ("оплатить 15.00 за доставку", "not_a_date"),
        ("встреча 10:00 или 11:00 в офисе", "not_a_date"),  # two times: which one?
        ("call Ivan at 25:00 about it", "not_a_date"),
        ("обновить до 3.2", "not_a_date"),
        ("настроить в среде", "not_a_date"),
        ("приехать в 10-12", "not_a_date"),
        ("позвонить вчера в 15:00 Ивану", "in_the_past"),
        ("call Ivan on 31.02 at 15:00 about it", "no_such_day"),
        ("отчёт 31.02", "no_such_day"),
        ("позвонить вчера в 10", "in_the_past"),
        ("позвонить сегодня в 10", "in_the_past"),  # 12:00 now: not tomorrow on a guess
        ("в офис заехать", "not_a_date"),
        ("в 10 декабря позвонить", "not_a_date"),  # not 10:00 with "декабря позвонить" left
        ("in office", "not_a_date"),
        ("31.02 отчёт", "no_such_day"),  # a when, one the calendar has not
        ("вчера позвонить", "in_the_past"),
    ],
)
def test_split_when_errors(line: str, code: str) -> None:
    with pytest.raises(WhenError) as caught:
        split_when(line, NOW, MSK)
    assert caught.value.code == code


FRIDAY_NOON = wall("2026-03-06 12:00", MSK)
FRIDAY_4PM = wall("2026-03-06 16:00", MSK)


@pytest.mark.parametrize(
    ("now", "typed", "expected", "has_time"),
    [
        (FRIDAY_NOON, "в пятницу 15:30", "2026-03-06 15:30", True),  # later today: today
        (FRIDAY_NOON, "пт 12:00", "2026-03-06 12:00", True),
        (FRIDAY_NOON, "в пятницу 10:00", "2026-03-13 10:00", True),  # earlier today: next week
        (FRIDAY_NOON, "пятница", "2026-03-13 10:00", False),  # no time: next week
        (FRIDAY_NOON, "friday", "2026-03-13 10:00", False),
        (FRIDAY_NOON, "next friday 15:30", "2026-03-13 15:30", True),  # "next" skips today
        (FRIDAY_4PM, "в пятницу 15:30", "2026-03-13 15:30", True),
        (FRIDAY_4PM, "fri 5pm", "2026-03-06 17:00", True),
        # "this Friday" on a Friday is today, with no time too; "by"/"до" one is the next
        (FRIDAY_4PM, "this friday", "2026-03-06 10:00", False),
        (FRIDAY_4PM, "в эту пятницу", "2026-03-06 10:00", False),
        (FRIDAY_NOON, "в эту пятницу в 15", "2026-03-06 15:00", True),
        (FRIDAY_4PM, "до пятницы", "2026-03-13 10:00", False),
        (FRIDAY_4PM, "by friday", "2026-03-13 10:00", False),
    ],
)
def test_today_is_that_weekday(now: datetime, typed: str, expected: str, has_time: bool) -> None:
    when = parse_when(typed, now, MSK)
    assert (when.at, when.has_time) == (wall(expected), has_time)


DEC_30 = wall("2026-12-30 12:00", MSK)


@pytest.mark.parametrize(
    ("now", "typed", "expected"),
    [
        (DEC_30, "1 января", "2027-01-01 10:00"),
        (DEC_30, "25.12", "2027-12-25 10:00"),
        (DEC_30, "31.12", "2026-12-31 10:00"),
        (DEC_30, "30.12", "2026-12-30 10:00"),
        (DEC_30, "послезавтра", "2027-01-01 10:00"),
        (DEC_30, "через 3 дня", "2027-01-02 10:00"),
        (wall("2027-01-31 12:00", MSK), "через месяц", "2027-02-28 10:00"),
        (DEC_30, "в 11", "2026-12-31 11:00"),
        (wall("2027-06-01 12:00", MSK), "29.02", "2028-02-29 10:00"),
    ],
)
def test_year_rollover(now: datetime, typed: str, expected: str) -> None:
    assert parse_when(typed, now, MSK).at == wall(expected)


NY_EVE = wall("2026-03-07 12:00", NY)  # clocks jump 02:00 -> 03:00 on 2026-03-08
BERLIN_EVE = wall("2026-03-28 12:00", BERLIN)  # clocks jump 02:00 -> 03:00 on 2026-03-29


@pytest.mark.parametrize(
    ("tz", "now", "typed", "expected"),
    [
        (NY, NY_EVE, "завтра в 10", "2026-03-08 10:00"),
        (NY, NY_EVE, "tomorrow", "2026-03-08 10:00"),
        (NY, NY_EVE, "in 3 days", "2026-03-10 10:00"),  # days are wall-clock days
        (NY, NY_EVE, "через 1 день", "2026-03-08 10:00"),
        (NY, NY_EVE, "in 24 hours", "2026-03-08 13:00"),  # hours are real hours
        (NY, NY_EVE, "tomorrow 2:30am", "2026-03-08 03:30"),  # a skipped time moves forward
        (NY, NY_EVE, "sun 9am", "2026-03-08 09:00"),
        (BERLIN, BERLIN_EVE, "завтра в 10", "2026-03-29 10:00"),
        (BERLIN, BERLIN_EVE, "через 1 день", "2026-03-29 10:00"),
        (BERLIN, BERLIN_EVE, "через 24 часа", "2026-03-29 13:00"),
        (BERLIN, BERLIN_EVE, "в 9", "2026-03-29 09:00"),
        (BERLIN, BERLIN_EVE, "30.03 в 10", "2026-03-30 10:00"),
    ],
)
def test_daylight_saving(tz: str, now: datetime, typed: str, expected: str) -> None:
    assert parse_when(typed, now, tz).at == wall(expected, tz)


def test_an_hour_inside_a_repeated_hour_is_a_real_hour() -> None:
    """Berlin repeats 02:00-03:00 on 2026-10-25; now is the second 02:30 (01:30 UTC)."""
    now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert parse_when("через 1 час", now, BERLIN).at == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_now_in_any_zone_reads_the_same() -> None:
    in_new_york = NOW.astimezone(ZoneInfo(NY))
    assert parse_when("завтра в 10", in_new_york, MSK) == parse_when("завтра в 10", NOW, MSK)


def test_result_is_utc_whole_minutes() -> None:
    now = datetime(2026, 3, 2, 9, 0, 45, 123456, tzinfo=UTC)
    when = parse_when("завтра в 10", now, MSK)
    assert when.at == wall("2026-03-03 10:00")
    assert (when.at.tzinfo, when.at.second, when.at.microsecond) == (UTC, 0, 0)


@pytest.mark.parametrize(
    ("now", "typed", "expected"),
    [
        # issue 10: sent at 04:17:56, "in 1 minute" is 04:18:56, not 04:18:00
        (datetime(2026, 3, 2, 4, 17, 56, tzinfo=UTC), "через 1 минуту", (4, 18, 56)),
        (datetime(2026, 3, 2, 4, 17, 56, tzinfo=UTC), "in 2 hours", (6, 17, 56)),
        # a fraction of a second is rounded up: never earlier than asked
        (datetime(2026, 3, 2, 9, 0, 45, 123456, tzinfo=UTC), "через 15 минут", (9, 15, 46)),
        (datetime(2026, 3, 2, 9, 0, 59, 500000, tzinfo=UTC), "in 30 min", (9, 31, 0)),
    ],
)
def test_a_shift_in_minutes_or_hours_is_exact(
    now: datetime, typed: str, expected: tuple[int, int, int]
) -> None:
    when = parse_when(typed, now, MSK)
    assert when.at == datetime(2026, 3, 2, *expected, tzinfo=UTC)
    assert when.at >= now and when.has_time and when.at.microsecond == 0


def test_parts_of_the_day_are_a_setting() -> None:
    parts: dict[DayPart, tuple[int, int]] = {
        "morning": (8, 30),
        "afternoon": (14, 0),
        "evening": (19, 0),
    }
    when = split_when("завтра утром позвонить", NOW, MSK, day_parts=parts)
    assert when == When(at=wall("2026-03-03 08:30"), has_time=True, rest="позвонить")
    assert parse_when("вечером", NOW, MSK, day_parts=parts).at == wall("2026-03-02 19:00")


def test_next_week_on_a_sunday_is_tomorrow() -> None:
    sunday = wall("2026-03-08 12:00", MSK)
    assert parse_when("на следующей неделе", sunday, MSK).at == wall("2026-03-09 10:00")


def test_default_hour() -> None:
    when = parse_when("завтра", NOW, MSK, default_hour=9)
    assert (when.at, when.has_time) == (wall("2026-03-03 09:00"), False)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("завтра", datetime(2026, 3, 2, 12, 0), MSK)


@pytest.mark.parametrize(
    ("today", "typed", "expected"),
    [
        ((2026, 12, 6), "05.12", "2026-12-05"),  # yesterday, not 05.12.2027
        ((2026, 12, 6), "5 декабря", "2026-12-05"),
        ((2026, 12, 6), "06.12", "2026-12-06"),
        ((2026, 12, 6), "07.12", "2026-12-07"),
        ((2026, 12, 6), "25.12", "2026-12-25"),
        ((2026, 12, 6), "06.10", "2026-10-06"),  # 61 days ago: still this year's
        ((2026, 12, 6), "05.10", "2027-10-05"),  # 62: the next one
        ((2026, 12, 6), "01.03", "2027-03-01"),
        ((2026, 12, 6), "05.12.2027", "2027-12-05"),  # a year given is kept
        ((2027, 1, 5), "20.12", "2026-12-20"),  # last December's
        ((2027, 1, 5), "10.01", "2027-01-10"),
        ((2027, 1, 5), "01.11", "2027-11-01"),  # 65 days ago
        ((2028, 3, 10), "29.02", "2028-02-29"),
        ((2027, 3, 10), "29.02", "2028-02-29"),  # no 29 February in 2027: the next one
    ],
)
def test_a_recent_day_without_its_year_is_this_years(
    today: tuple[int, int, int], typed: str, expected: str
) -> None:
    """A deal's close date: "05.12" on 6 December was read as 05.12.2027."""
    now = datetime(*today, 12, tzinfo=ZoneInfo(MSK)).astimezone(UTC)
    when = parse_when(typed, now, MSK, allow_past=True, recent_days=61)
    assert when.at == wall(f"{expected} 10:00") and not when.has_time


def test_without_recent_days_a_past_day_is_next_years() -> None:
    """As for a task's due day."""
    now = datetime(2026, 12, 6, 12, tzinfo=ZoneInfo(MSK)).astimezone(UTC)
    assert parse_when("05.12", now, MSK, allow_past=True).at == wall("2027-12-05 10:00")


def test_29_february_without_its_year_names_the_next_one() -> None:
    with pytest.raises(WhenError) as caught:
        parse_when("29.02", NOW, MSK)
    assert (caught.value.code, caught.value.next_day) == ("no_such_day", date(2028, 2, 29))
    with pytest.raises(WhenError) as caught:
        parse_when("31.02", NOW, MSK)
    assert (caught.value.code, caught.value.next_day) == ("no_such_day", None)
