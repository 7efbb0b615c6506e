"""Ranges of number, money and date fields as people type them for a list filter."""

from __future__ import annotations

from datetime import date

import pytest

from crm.parsing.fields import FieldType, FieldValueError
from crm.parsing.ranges import Range, parse_range

M, N, D = FieldType.MONEY, FieldType.NUMBER, FieldType.DATE


@pytest.mark.parametrize(
    ("type_", "text", "expected"),
    [
        (M, "от 10000 до 50000", Range(1_000_000, 5_000_000)),
        (M, "От 10 000 до 50 000 ₽", Range(1_000_000, 5_000_000)),
        (M, "from 10k to 50k", Range(1_000_000, 5_000_000)),
        (M, "10000-50000", Range(1_000_000, 5_000_000)),
        (M, "10 000 – 50 000", Range(1_000_000, 5_000_000)),
        (M, "50000-10000", Range(1_000_000, 5_000_000)),
        (M, "> 5000", Range(low=500_001)),
        (M, ">= 5000", Range(low=500_000)),
        (M, "≥5000", Range(low=500_000)),
        (M, "больше 5к", Range(low=500_001)),
        (M, "от 5000", Range(low=500_000)),
        (M, "до 50к", Range(high=5_000_000)),
        (M, "< 100", Range(high=9_999)),
        (M, "<=100", Range(high=10_000)),
        (M, "1,5 млн", Range(150_000_000, 150_000_000)),
        # a bare sum before one with a word takes the word, as it is said
        (M, "10-20 тыс", Range(1_000_000, 2_000_000)),
        (M, "1,5-2 млн", Range(150_000_000, 200_000_000)),
        (M, "от 1 до 2 млн руб.", Range(100_000_000, 200_000_000)),
        (M, "from 5 to 10k", Range(500_000, 1_000_000)),
        (M, "100 000 – 200 000 ₽", Range(10_000_000, 20_000_000)),
        (M, "5 000 ₽ - 10 000 ₽", Range(500_000, 1_000_000)),
        (M, "10к - 2 млн", Range(1_000_000, 200_000_000)),
        # unless it would pass the second: the first was in rubles already
        (M, "от 500 000 до 1 млн", Range(50_000_000, 100_000_000)),
        (M, "500 000 - 1,5 млн", Range(50_000_000, 150_000_000)),
        (M, "от 500 до 1 тыс", Range(50_000, 100_000)),
        # nor reach it: "from 1 to 1 million" is not exactly a million
        (M, "от 1 до 1 млн", Range(100, 100_000_000)),
        (M, "1 - 1 тыс", Range(100, 100_000)),
        (N, "5", Range(5.0, 5.0)),
        (N, "-5-10", Range(-5.0, 10.0)),
        (N, "1,5 - 2,5", Range(1.5, 2.5)),
        (N, "over 3", Range(low=3.0000000000000004)),
        (N, "до 7", Range(high=7.0)),
        (N, "up to 2.5", Range(high=2.5)),
        (M, "Up to 1,000,000", Range(high=100_000_000)),
        (D, "01.03.2026-31.03.2026", Range(date(2026, 3, 1), date(2026, 3, 31))),
        (D, "01.03.2026 – 31.03.2026", Range(date(2026, 3, 1), date(2026, 3, 31))),
        (D, "с 01.03.2026 по 31.03.2026", Range(date(2026, 3, 1), date(2026, 3, 31))),
        (D, "2026-03-01-2026-03-31", Range(date(2026, 3, 1), date(2026, 3, 31))),
        (D, "31.03.2026-01.03.2026", Range(date(2026, 3, 1), date(2026, 3, 31))),
        (D, "2026-03-01", Range(date(2026, 3, 1), date(2026, 3, 1))),
        (D, "после 01.03.2026", Range(low=date(2026, 3, 2))),
        (D, "before 01.03.2026", Range(high=date(2026, 2, 28))),
        (D, "с 01.03.2026", Range(low=date(2026, 3, 1))),
        # as the English question shows them
        (M, "from 10000 to 50000", Range(1_000_000, 5_000_000)),
        (D, "since 01.03.2026", Range(low=date(2026, 3, 1))),
        (D, "until 31.03.2026", Range(high=date(2026, 3, 31))),
        (D, "> 30.12.9999", Range(low=date(9999, 12, 31))),
        (D, "< 02.01.0001", Range(high=date(1, 1, 1))),
    ],
)
def test_parse_range(type_: FieldType, text: str, expected: Range) -> None:
    assert parse_range(type_, text) == expected


@pytest.mark.parametrize(
    ("type_", "text", "code"),
    [
        (M, "", "not_a_range"),
        (M, ">", "not_a_range"),
        (M, "от", "not_a_range"),
        (M, "лимон", "not_a_number"),
        (M, "от пяти до десяти", "not_a_number"),
        (M, "10000-", "not_a_number"),
        (M, "-100", "negative"),
        (N, "5 apples", "not_a_number"),
        (N, "1" * 200, "not_a_range"),
        (D, "31.02.2026-01.03.2026", "not_a_date"),
        (D, "March", "not_a_date"),
        (D, "домой", "not_a_date"),
        (D, "> 31.12.9999", "not_a_date"),  # no day after the calendar's last
        (D, "after 31.12.9999", "not_a_date"),
        (D, "< 01.01.0001", "not_a_date"),
        (FieldType.TEXT, "1-2", "not_a_range"),
        (FieldType.CHOICE, "1", "not_a_range"),
    ],
)
def test_parse_range_refuses(type_: FieldType, text: str, code: str) -> None:
    with pytest.raises(FieldValueError) as raised:
        parse_range(type_, text)
    assert raised.value.code == code
