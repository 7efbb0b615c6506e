"""Days before a deal goes stale, as people type them."""

from __future__ import annotations

import pytest

from crm.errors import InvalidInput
from crm.parsing.days import parse_days


@pytest.mark.parametrize(
    ("typed", "days"),
    [("7", 7), (" 14 ", 14), ("0", 0), ("0030", 30), ("9999", 9999), ("1\n", 1)],
)
def test_days_read(typed: str, days: int) -> None:
    assert parse_days(typed) == days


@pytest.mark.parametrize(
    "typed", ["", " ", "seven", "7 days", "-3", "+3", "1.5", "10000", "٣", "７", "1e3", "3 4"]
)
def test_not_days(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_days(typed)
    assert refused.value.code == "bad_stale_days"
    assert refused.value.params["limit"] > 0
