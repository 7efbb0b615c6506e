"""Custom field values as people type them: each type, good and bad."""

from __future__ import annotations

from datetime import date

import pytest

from crm.parsing.fields import (
    FieldType,
    FieldValueError,
    Option,
    Parsed,
    parse_date,
    parse_value,
)
from crm.parsing.search_text import fold

T = FieldType
OPTIONS = (Option(1, "Опт"), Option(2, "Розница"), Option(5, "Ёлки"))


@pytest.mark.parametrize(
    ("type_", "text", "expected"),
    [
        (T.TEXT, "  ИНН   7701  ", Parsed(text_value="ИНН 7701", search="инн 7701")),
        (
            T.LONG_TEXT,
            "line one\nline two",
            Parsed(text_value="line one\nline two", search="line one line two"),
        ),
        (T.NUMBER, "12", Parsed(num_value=12.0, text_value="12")),
        (T.NUMBER, "1 500,25", Parsed(num_value=1500.25, text_value="1500.25")),
        (T.NUMBER, "-3.5", Parsed(num_value=-3.5, text_value="-3.5")),
        (T.NUMBER, "-0", Parsed(num_value=0.0, text_value="0")),
        (T.NUMBER, "-0,00", Parsed(num_value=0.0, text_value="0")),
        (T.MONEY, "150к", Parsed(int_value=15_000_000)),
        (T.MONEY, "1 200,50 ₽", Parsed(int_value=120_050)),
        (T.DATE, "31.12.2026", Parsed(date_value=date(2026, 12, 31))),
        (T.DATE, "1/2/27", Parsed(date_value=date(2027, 2, 1))),
        (T.DATE, "15.03.69", Parsed(date_value=date(2069, 3, 15))),
        (T.DATE, "15.03.85", Parsed(date_value=date(1985, 3, 15))),  # a birthday, not 2085
        (T.DATE, "2026-03-09", Parsed(date_value=date(2026, 3, 9))),
        (T.YES_NO, "Да", Parsed(int_value=1)),
        (T.YES_NO, "no", Parsed(int_value=0)),
        (T.CHOICE, "розница", Parsed(option_ids=(2,))),
        (T.CHOICE, "елки", Parsed(option_ids=(5,))),
        (T.CHOICE, "1", Parsed(option_ids=(1,))),
        (T.MULTI_CHOICE, "Опт, ёлки, опт", Parsed(option_ids=(1, 5))),
        (T.PHONE, "8 (999) 123-45-67", Parsed(text_value="+79991234567", search="79991234567")),
        (
            T.EMAIL,
            " Ivan@Example.COM ",
            Parsed(text_value="ivan@example.com", search="ivan@example.com"),
        ),
        (
            T.URL,
            "example.com/price",
            Parsed(text_value="https://example.com/price", search="https://example.com/price"),
        ),
        (
            T.URL,
            "http://пример.рф",
            Parsed(text_value="http://пример.рф", search="http://пример.рф"),
        ),
    ],
)
def test_good_values(type_: FieldType, text: str, expected: Parsed) -> None:
    assert parse_value(type_, text, OPTIONS) == expected


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("münchen.de", "https://münchen.de"),
        ("https://bücher.example/x", "https://bücher.example/x"),
        ("http://пример.рф/цены", "http://пример.рф/цены"),
        ("例え.テスト", "https://例え.テスト"),
        ("ελλάδα.gr/", "https://ελλάδα.gr/"),
    ],
)
def test_links_of_any_script(typed: str, kept: str) -> None:
    """A domain of any script is a link, not only Latin and Cyrillic ones (as IDNA reads it)."""
    assert parse_value(T.URL, typed) == Parsed(text_value=kept, search=fold(kept))


@pytest.mark.parametrize(
    ("type_", "text", "code"),
    [
        (T.TEXT, "x" * 501, "too_long"),
        (T.LONG_TEXT, "x" * 3001, "too_long"),
        (T.NUMBER, "12abc", "not_a_number"),
        (T.NUMBER, "двенадцать", "not_a_number"),
        (T.NUMBER, "1.2.3", "not_a_number"),
        (T.NUMBER, "1" * 17, "too_large"),
        (T.MONEY, "много", "not_a_number"),
        (T.MONEY, "-5", "negative"),
        (T.DATE, "завтра", "not_a_date"),
        (T.DATE, "31.02.2026", "not_a_date"),
        (T.DATE, "2026-13-01", "not_a_date"),
        (T.DATE, "01.01.0000", "bad_year"),  # was read as 01.01.2000
        (T.DATE, "0000-01-01", "bad_year"),
        (T.YES_NO, "может быть", "not_yes_no"),
        (T.CHOICE, "Оптом", "not_in_list"),
        (T.CHOICE, "4", "not_in_list"),
        (T.CHOICE, "", "not_in_list"),
        (T.MULTI_CHOICE, "опт, дилер", "not_in_list"),
        (T.PHONE, "call me", "bad_phone"),
        (T.PHONE, "123", "bad_phone"),
        (T.EMAIL, "ivan@", "bad_email"),
        (T.EMAIL, "not an email", "bad_email"),
        (T.URL, "not a link", "bad_url"),
        (T.URL, "ftp://example.com", "bad_url"),
        (T.URL, "localhost", "bad_url"),
        (T.URL, "31.12.2026", "bad_url"),
        (T.URL, "300.1.1.10", "bad_url"),
        (T.URL, "12345", "bad_url"),
        (T.URL, "12,5", "bad_url"),
        (T.URL, "münchen", "bad_url"),
        (T.URL, "münchen..de", "bad_url"),
        (T.URL, "bücher.de!", "bad_url"),
        (T.URL, "https://bücher_?", "bad_url"),
        (T.URL, "https://" + "a" * 500 + ".com", "too_long"),
    ],
)
def test_bad_values(type_: FieldType, text: str, code: str) -> None:
    with pytest.raises(FieldValueError) as error:
        parse_value(type_, text, OPTIONS)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1 мая 2025, 14:30", date(2025, 5, 1)),
        ("1 мая 2025 14:30", date(2025, 5, 1)),
        ("1 мая 2025 г., 14:30", date(2025, 5, 1)),
        ("1 мая 2025 г. в 14:30", date(2025, 5, 1)),
        ("1 мая 2025, в 9:05", date(2025, 5, 1)),
        ("Feb 1, 2026 18:00", date(2026, 2, 1)),
        ("31.12.2026 14:30", date(2026, 12, 31)),
        ("31.12.2026, 14:30", date(2026, 12, 31)),
        ("31.12.2026 в 14:30", date(2026, 12, 31)),
        ("31.12.2026 В 14:30", date(2026, 12, 31)),
        ("31.12.2026 г. 14:30", date(2026, 12, 31)),
        ("31.12.2026 г.", date(2026, 12, 31)),
        ("31.12.2026 14.30", date(2026, 12, 31)),
        ("31.12.2026 14:30:05", date(2026, 12, 31)),
        ("31/12/26 0:00", date(2026, 12, 31)),
        ("2026-12-31 14:30", date(2026, 12, 31)),
        ("2026-12-31 23:59:59", date(2026, 12, 31)),
        ("2026-12-31T14:30:00", date(2026, 12, 31)),
        ("2026-12-31T14:30:00.250", date(2026, 12, 31)),
        ("2026-12-31T14:30:00Z", date(2026, 12, 31)),
        ("2026-12-31T23:30:00-05:00", date(2026, 12, 31)),  # the date written
        ("2026-12-31 14:30 +0300", date(2026, 12, 31)),
    ],
)
def test_a_date_with_a_time_of_day_keeps_the_date(text: str, day: date) -> None:
    """As pasted from another system or a phone: the time is let go, the date kept."""
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31.12.2026 abc", "not_a_date"),
        ("31.12.2026 14:30 abc", "not_a_date"),
        ("31.12.2026 в", "not_a_date"),
        ("31.12.2026 в обед", "not_a_date"),
        ("31.12.2026 25:00", "not_a_date"),
        ("31.12.2026 14:60", "not_a_date"),
        ("31.12.2026 14:30:61", "not_a_date"),
        ("31.12.2026 14", "not_a_date"),
        ("31.12.2026 г. года", "not_a_date"),
        ("2026-12-31 14:30 MSK", "not_a_date"),
        ("2026-12-31T", "not_a_date"),
        ("2026-12-31T14:30:00+99:99", "not_a_date"),
        ("2026-12-31T14:30:00+03", "not_a_date"),
        ("31.02.2026 14:30", "not_a_date"),  # no such day, at any time
        ("01.01.0000 14:30", "bad_year"),
        ("1 мая", "not_a_date"),  # no year: on purpose
        ("1 мая 14:30", "not_a_date"),
        ("1 мая, в 14:30", "not_a_date"),
        ("14:30", "not_a_date"),
        ("31.12 14:30", "not_a_date"),
    ],
)
def test_what_follows_a_date_is_a_time_or_it_is_no_date(text: str, code: str) -> None:
    with pytest.raises(FieldValueError) as error:
        parse_date(text)
    assert error.value.code == code
