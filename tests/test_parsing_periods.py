"""Periods as people type them, and the days of the preset periods."""

from __future__ import annotations

from datetime import date

import pytest

from crm.parsing.periods import parse_period, preset_days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.10.2026–31.10.2026", (date(2026, 10, 1), date(2026, 10, 31))),
        ("01.10.2026-31.10.2026", (date(2026, 10, 1), date(2026, 10, 31))),
        (" 1.10.2026 — 5.10.2026 ", (date(2026, 10, 1), date(2026, 10, 5))),
        ("31.10.2026–01.10.2026", (date(2026, 10, 1), date(2026, 10, 31))),
        ("15.03.2026", (date(2026, 3, 15), date(2026, 3, 15))),
        ("31.02.2026", None),
        ("01.10.26–31.10.26", None),
        ("october", None),
        ("", None),
        ("1.1.2026", (date(2026, 1, 1), date(2026, 1, 1))),
        ("29.02.2028", (date(2028, 2, 29), date(2028, 2, 29))),
        ("29.02.2027", None),
        ("01.10.2026–", None),
        ("01.10.2026 31.10.2026", None),
        ("01.13.2026", None),
        ("31.12.9999", None),
        ("01.01.2026–31.12.9999", None),
        ("01.01.0001", None),
        ("01.01.1900", (date(1900, 1, 1), date(1900, 1, 1))),
    ],
)
def test_parse_period(text: str, expected: tuple[date, date] | None) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("today", date(2026, 10, 7), (date(2026, 10, 7), date(2026, 10, 8))),
        ("week", date(2026, 10, 7), (date(2026, 10, 5), date(2026, 10, 12))),
        ("week", date(2026, 10, 5), (date(2026, 10, 5), date(2026, 10, 12))),
        ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2027, 1, 1))),
        ("month", date(2026, 2, 1), (date(2026, 2, 1), date(2026, 3, 1))),
        ("30d", date(2026, 10, 30), (date(2026, 10, 1), date(2026, 10, 31))),
        ("yesterday", date(2026, 10, 7), None),
    ],
)
def test_preset_days(preset: str, today: date, expected: tuple[date, date] | None) -> None:
    assert preset_days(preset, today) == expected
