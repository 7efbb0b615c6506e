"""The buttons every feature shares, and the typed fields every feature's buttons are made of.

Callback data is untrusted input: anyone can send any 64 bytes. A record id that
cannot be one (negative, or past the 64-bit ids the database holds) is refused as
"this record no longer exists" (``NotFound``, told by the ``Refusals`` middleware)
before any handler runs, never an ``OverflowError`` deep in a query.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator

from crm.errors import NotFound

MAX_ID = 2**63 - 1  # the largest BIGINT, on PostgreSQL and SQLite alike
MAX_PAGE = 100_000


def _record_id(value: object) -> object:
    number = _integer(value)
    if number is None:
        return value  # not a number at all: pydantic refuses it (the button is stale)
    if not 0 <= number <= MAX_ID:
        raise NotFound()  # not a ValueError: it passes the filter and reaches Refusals
    return number


def _chat_id(value: object) -> object:
    number = _integer(value)
    if number is not None and not -MAX_ID <= number <= MAX_ID:
        raise NotFound()
    return value if number is None else number


def _page(value: object) -> object:
    number = _integer(value)
    return value if number is None else min(max(number, 0), MAX_PAGE)


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 100:
        return int(value)
    return None


RecordId = Annotated[int, BeforeValidator(_record_id)]
"""The id of a record: 0 to 2**63-1; anything past that is a record that does not exist."""

ChatId = Annotated[int, BeforeValidator(_chat_id)]
"""A Telegram chat's id (a group's is negative); past 64 bits it is a chat that does not exist."""

Page = Annotated[int, BeforeValidator(_page)]
"""A page number, clamped to 0..MAX_PAGE (the screen clamps it to its last page)."""


class CancelCb(CallbackData, prefix="cancel"):
    pass
