"""Showing money and numbers: ``150 000 ₽`` and ``2,5`` for Russian readers, ``150,000 ₽``
and ``2.5`` for English ones."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal

NARROW_SPACE = "\u202f"  # a group separator no one reads as a decimal mark
SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UAH": "₴", "GBP": "£"}


@lru_cache(maxsize=4096)  # babel parses the pattern and the locale each time: ~13 µs
def format_money(minor: int, currency: str, language: str) -> str:
    units = Decimal(minor) / 100
    pattern = "#,##0" if minor % 100 == 0 else "#,##0.00"
    locale = "ru_RU" if language == "ru" else "en_US"
    number = format_decimal(units, format=pattern, locale=locale)
    return f"{number}\u00a0{SYMBOLS.get(currency, currency)}"


def format_number(number: Decimal | float, language: str) -> str:
    """A number as its reader writes it: ``1 000 000`` and ``2,5`` in Russian, ``1 000 000``
    (narrow spaces) and ``2.5`` in English; every digit kept, never ``1e+06``. A float is read to 15
    significant digits, all it holds of what was typed (``5.000000000000001``, the bound
    a strict ``> 5`` moved by the smallest step, reads ``5``)."""
    if isinstance(number, float):
        number = Decimal(f"{number:.15g}")
    if number.is_nan():
        return str(number)
    number += 0  # "-0" is 0
    locale = "ru_RU" if language == "ru" else "en_US"
    shown = format_decimal(number, format="#,##0.###", locale=locale, decimal_quantization=False)
    # English groups with a narrow space (SI), not a comma: a value is read back with a
    # comma as the decimal mark (``1,5``), so "1,500" typed back would be 1.5.
    return shown if language == "ru" else shown.replace(",", NARROW_SPACE)
