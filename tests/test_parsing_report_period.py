"""A report's days as people type them (the table of tests/test_report_flow.py, on the parser)."""

from __future__ import annotations

from datetime import date

import pytest

from crm.parsing.report_period import parse_report_days


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("01.10–31.10", (date(2026, 10, 1), date(2026, 10, 31))),
        ("01.10.2026–31.10.2026", (date(2026, 10, 1), date(2026, 10, 31))),
        ("1.10 - 5.10", (date(2026, 10, 1), date(2026, 10, 5))),
        ("31.10—01.10", (date(2026, 10, 1), date(2026, 10, 31))),  # reversed: swapped
        ("01.10", (date(2026, 10, 1), date(2026, 10, 1))),
        ("01.12–31.12", (date(2025, 12, 1), date(2025, 12, 31))),  # would begin in the future
        ("15.12–15.01", (date(2025, 12, 15), date(2026, 1, 15))),  # over New Year
        ("20.12.2025–10.01", (date(2025, 12, 20), date(2026, 1, 10))),
        ("20.12–10.01.2026", (date(2025, 12, 20), date(2026, 1, 10))),
        ("31.02", None),
        ("01.10–", None),
        ("october", None),
        ("01.10.26–31.10.26", None),
        ("01.01.2025–31.12.2026", None),  # more than a year
        ("01.01.0001", None),
        ("31.12.9999", None),
    ],
)
def test_report_days(typed: str, days: tuple[date, date] | None) -> None:
    assert parse_report_days(typed, date(2026, 10, 15)) == days
