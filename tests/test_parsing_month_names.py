"""Dates written with the month's name, in Russian and English: read by a date field and by
an import's date cell alike; a date missing its day or year, or an unknown word, is not one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm.parsing.cells import DateError, cell_date
from crm.parsing.fields import FieldType, FieldValueError, parse_value
from crm.parsing.month_names import named_month_date

FEB_1 = date(2025, 2, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 февраля 2025", FEB_1),
        ("1 фев 2025", FEB_1),
        ("1 фев. 2025", FEB_1),
        ("1 февр. 2025 г.", FEB_1),
        ("01 февраля 2025 г.", FEB_1),
        ("01 Февраля 2025 года", FEB_1),
        ("1 февраль 2025", FEB_1),
        ("1-го февраля 2025 г", FEB_1),
        ("1 February 2025", FEB_1),
        ("1st February 2025", FEB_1),
        ("Feb 1, 2025", FEB_1),
        ("February 1 2025", FEB_1),
        ("1 Feb 2025", FEB_1),
        ("1-Feb-2025", FEB_1),
        ("1-feb-25", FEB_1),
        ("  1\u00a0FEB\u00a02025 ", FEB_1),
        ("31 мая 1985", date(1985, 5, 31)),
        ("3 сент. 2024", date(2024, 9, 3)),
        ("15 ноя 2026", date(2026, 11, 15)),
        ("9 May 2026", date(2026, 5, 9)),
        ("Sept 30, 2026", date(2026, 9, 30)),
        ("12 декабря 99", date(1999, 12, 12)),
        # the forms with digits only stay as they were: the day first, always
        ("1/2/2025", FEB_1),
        ("2/1/2025", date(2025, 1, 2)),  # never read as 1 February
        ("01.02.2025", FEB_1),
        ("2025-02-01", FEB_1),
    ],
)
def test_a_date_field_and_a_date_cell_read_month_names(text: str, expected: date) -> None:
    assert parse_value(FieldType.DATE, text).date_value == expected
    assert cell_date(text) == datetime.combine(expected, datetime.min.time(), tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "февраль 2025",  # no day
        "1 февраля",  # no year
        "March",
        "31 февраля 2025",  # no such day
        "32 января 2025",
        "1 фервраля 2025",  # not a month
        "1 марсиан 2025",
        "1 2 2025",
        "Feb 1 2025 2026",
        "1 января 0000",  # no year 0 in the calendar
    ],
)
def test_what_is_not_a_day_stays_refused(text: str) -> None:
    with pytest.raises(FieldValueError):
        parse_value(FieldType.DATE, text)
    with pytest.raises(DateError):
        cell_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 февраля 2025 14:30", datetime(2025, 2, 1, 14, 30, tzinfo=UTC)),
        ("Feb 1, 2025, 9:05", datetime(2025, 2, 1, 9, 5, tzinfo=UTC)),
    ],
)
def test_a_date_cell_keeps_its_time_of_day(text: str, expected: datetime) -> None:
    assert cell_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 февраля 2025", (1, 2, "2025")),
        ("31 февраля 2025", (31, 2, "2025")),  # the caller checks the day
        ("Dec 7, 26", (7, 12, "26")),
        ("1 февраля", None),
        ("1 Febr 2025", None),
        ("01.02.2025", None),
        ("", None),
    ],
)
def test_named_month_date(text: str, expected: tuple[int, int, str] | None) -> None:
    assert named_month_date(text) == expected
