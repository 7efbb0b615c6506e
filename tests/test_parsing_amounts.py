"""Amounts as people type them, and money as people read it."""

from __future__ import annotations

import pytest

from crm.money import format_money
from crm.parsing.amounts import AmountError, parse_amount


@pytest.mark.parametrize(
    ("typed", "minor"),
    [
        ("150000", 15_000_000),
        ("150 000", 15_000_000),
        ("150\u00a0000", 15_000_000),
        ("150к", 15_000_000),
        ("150 к", 15_000_000),
        ("150k", 15_000_000),
        ("150K", 15_000_000),
        ("150 тыс", 15_000_000),
        ("150 тыс.", 15_000_000),
        ("1,5 млн", 150_000_000),
        ("1.5m", 150_000_000),
        ("1.5M", 150_000_000),
        ("2 млн", 200_000_000),
        ("1 500 000", 150_000_000),
        ("1,500,000", 150_000_000),
        ("1.500.000", 150_000_000),
        ("1,500", 150_000),
        ("0,500", 50),  # no number's thousands start with 0: a decimal comma
        ("0.250", 25),
        ("12,50000", 1_250),  # zeros after the kopecks lose nothing
        ("1,2345 млн", 123_450_000),
        ("1,23456 тыс", 123_456),
        ("150000.50", 15_000_050),
        ("150 000,50", 15_000_050),
        ("99,9", 9_990),
        ("150000 руб", 15_000_000),
        ("150000 руб.", 15_000_000),
        ("150000р", 15_000_000),
        ("150 000 ₽", 15_000_000),
        ("₽150000", 15_000_000),
        ("$1,200", 120_000),
        ("0", 0),
        ("1 млрд", 100_000_000_000),
        ("12'500", 1_250_000),
    ],
)
def test_amounts(typed: str, minor: int) -> None:
    assert parse_amount(typed) == minor


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "not_a_number"),
        ("сто тысяч", "not_a_number"),
        ("abc", "not_a_number"),
        ("150 попугаев", "not_a_number"),
        ("-150000", "negative"),
        ("−5к", "negative"),
        ("1.2.3,4", "not_a_number"),
        ("5000 млрд", "too_large"),
        ("1" + "0" * 13, "too_large"),
        ("k", "not_a_number"),
        ("1e5", "not_a_number"),
        ("NaN", "not_a_number"),
        ("0,005", "too_precise"),  # half a kopeck: never rounded away unsaid
        ("1.2345", "too_precise"),
        ("150 000,5055", "too_precise"),
        ("1,234567 тыс", "too_precise"),
    ],
)
def test_not_amounts(typed: str, code: str) -> None:
    with pytest.raises(AmountError) as error:
        parse_amount(typed)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("minor", "currency", "language", "shown"),
    [
        (15_000_000, "RUB", "ru", "150\u00a0000\u00a0₽"),
        (15_000_000, "RUB", "en", "150,000\u00a0₽"),
        (15_000_050, "RUB", "ru", "150\u00a0000,50\u00a0₽"),
        (0, "RUB", "ru", "0\u00a0₽"),
        (120_000, "USD", "en", "1,200\u00a0$"),
        (100, "XYZ", "en", "1\u00a0XYZ"),
    ],
)
def test_money(minor: int, currency: str, language: str, shown: str) -> None:
    assert format_money(minor, currency, language) == shown
