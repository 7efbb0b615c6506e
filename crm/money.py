"""Showing money: ``150 000 ₽`` for Russian readers, ``150,000 ₽`` for English ones."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal

SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br", "UAH": "₴", "GBP": "£"}


@lru_cache(maxsize=4096)  # babel parses the pattern and the locale each time: ~13 µs
def format_money(minor: int, currency: str, language: str) -> str:
    units = Decimal(minor) / 100
    pattern = "#,##0" if minor % 100 == 0 else "#,##0.00"
    locale = "ru_RU" if language == "ru" else "en_US"
    number = format_decimal(units, format=pattern, locale=locale)
    return f"{number}\u00a0{SYMBOLS.get(currency, currency)}"
