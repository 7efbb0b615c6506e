"""Amounts as people type them, and money and numbers as people read them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.money import format_money, format_number
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
        ("10 тыс. руб.", 1_000_000),  # a currency after an abbreviated multiplier
        ("1,5 млн. руб.", 150_000_000),
        ("150 тыс. ₽", 15_000_000),
        ("10 т.р.", 1_000_000),
        ("10т.р.", 1_000_000),
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


@pytest.mark.parametrize(
    ("number", "language", "shown"),
    [
        (Decimal("2.5"), "ru", "2,5"),
        (Decimal("2.5"), "en", "2.5"),
        (Decimal(2500) / 1000, "ru", "2,5"),  # a deal line's quantity, kept in thousandths
        (Decimal(3000) / 1000, "ru", "3"),
        (Decimal(1) / 1000, "en", "0.001"),
        (Decimal("1E+6"), "ru", "1\u00a0000\u00a0000"),
        (Decimal("1E-12"), "en", "0.000000000001"),  # every digit, no rounding to nothing
        (Decimal("-0"), "ru", "0"),
        (Decimal("-1234.5"), "ru", "-1\u00a0234,5"),
        (1e6, "ru", "1\u00a0000\u00a0000"),  # was "1e+06"
        (1e6, "en", "1\u202f000\u202f000"),  # not "1,000,000": read back as 1.0
        (1_500_000.25, "ru", "1\u00a0500\u00a0000,25"),
        (1_500_000.25, "en", "1\u202f500\u202f000.25"),
        (1e14, "en", "100\u202f000\u202f000\u202f000\u202f000"),
        (1e-7, "ru", "0,0000001"),
        (0.1 + 0.2, "en", "0.3"),
        (5.000000000000001, "en", "5"),  # "> 5" made inclusive by the smallest step
        (-0.0, "en", "0"),
        (12.0, "de", "12"),  # any other language reads English
    ],
)
def test_number(number: Decimal | float, language: str, shown: str) -> None:
    assert format_number(number, language) == shown
