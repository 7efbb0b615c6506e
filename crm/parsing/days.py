"""A whole number of days, as a person types it or a button carries it."""

from __future__ import annotations

from crm.errors import ErrorCode, InvalidInput
from crm.pipeline import MAX_STALE_DAYS


def parse_days(value: str) -> int:
    """Digits only (1 to 4 of them): the range itself is the CRM's to check."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 4:
        raise InvalidInput(ErrorCode.BAD_STALE_DAYS, limit=MAX_STALE_DAYS)
    return int(value)
