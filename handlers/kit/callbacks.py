"""The buttons every feature shares, and the typed fields every feature's buttons are made of.

Callback data is untrusted input: anyone can send any 64 bytes. A record id that
cannot be one (negative, or past the 64-bit ids the database holds) is refused as
"this record no longer exists" (``NotFound``, told by the ``Refusals`` middleware)
before any handler runs, never an ``OverflowError`` deep in a query.

The ``Loose`` ids are the other way to say the same: out of range, the id becomes 0,
which names nothing, and the handler answers as it does for any id that names
nothing (a stage or a reason that is gone; for a member picked, "nobody").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator

from crm.cards import CardKind
from crm.errors import NotFound
from crm.take_back import undo_check
from storage.models import Event

MAX_ID = 2**63 - 1  # the largest BIGINT (members' and chats' Telegram ids)
MAX_RECORD_ID = 2**31 - 1  # the largest INTEGER: clients, deals, events, tasks… on PostgreSQL
MAX_PAGE = 100_000


def _bounded(limit: int, lowest: int = 0) -> Callable[[object], object]:
    def check(value: object) -> object:
        number = _integer(value)
        if number is None:
            return value  # not a number at all: pydantic refuses it (the button is stale)
        if not lowest <= number <= limit:
            raise NotFound()  # not a ValueError: it passes the filter and reaches Refusals
        return number

    return check


def _zero_if_out_of(limit: int) -> Callable[[object], object]:
    def check(value: object) -> object:
        number = _integer(value)
        if number is None:
            return value  # not a number at all: pydantic refuses it (the button is stale)
        return number if 0 <= number <= limit else 0

    return check


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


RecordId = Annotated[int, BeforeValidator(_bounded(MAX_RECORD_ID))]
"""The id of a record (an INTEGER key); anything past it is a record that does not exist."""

TypeId = Annotated[int, BeforeValidator(_bounded(MAX_RECORD_ID, lowest=-2))]
"""A record type's id; on the buttons that choose what to link, -1 is clients and -2 deals."""

MemberId = Annotated[int, BeforeValidator(_bounded(MAX_ID))]
"""A member's Telegram id (a BIGINT key); past 64 bits it is a member that does not exist."""

LooseRecordId = Annotated[int, BeforeValidator(_zero_if_out_of(MAX_RECORD_ID))]
"""A record's id where 0 is "none": out of range it is 0 as well."""

LooseMemberId = Annotated[int, BeforeValidator(_zero_if_out_of(MAX_ID))]
"""A member's Telegram id where 0 is "nobody": out of range it is 0 as well."""

ChatId = Annotated[int, BeforeValidator(_chat_id)]
"""A Telegram chat's id (a group's is negative); past 64 bits it is a chat that does not exist."""

Page = Annotated[int, BeforeValidator(_page)]
"""A page number, clamped to 0..MAX_PAGE (the screen clamps it to its last page)."""


class CancelCb(CallbackData, prefix="cancel"):
    """ "✖️ Cancel", as built: it cancels whatever question waits now. Stamped with the
    question's step on its way out (``CancelStepCb``); older messages' stay so."""


class CancelStepCb(CallbackData, prefix="cx"):
    """ "✖️ Cancel" of the question asked in the dialog step ``step`` (a code of its FSM
    state: ``handlers.kit.cancel_steps``): it cancels only that step, and only from a
    message that asked it (another card's question in the same step is another)."""

    step: str


class CloseCb(CallbackData, prefix="close"):
    """ "✖️ Cancel" of a screen asked by no dialog (a call's outcome): it closes that
    screen and ends no dialog (``keyboards.close_button``)."""


CANCEL_THEN = "x>"
"""The start of a "✖️ Cancel" that goes back to a screen (a record's question goes back to
its card): this, then the screen's button data (``keyboards.cancel_to``). Pressed on the
question waiting, the question ends and the screen is shown; pressed on an older one, it
says the question is closed and does nothing (``handlers.kit.cancel_steps.CancelThen``)."""


class UndoCb(CallbackData, prefix="un"):
    """ "↩️ Undo" under what was just added to a card (a client's, a deal's: ``client``; a
    record's: ``record``): the event ``ref`` on the card ``card``'s timeline, if its
    ``crm.take_back.undo_check`` is still ``check`` (on SQLite an undone event's id goes
    to the next event written). Older messages' Undo buttons are the features' own
    (``ClientCb`` UNDO, ``EntCb`` UNDO), without the check."""

    kind: str
    card: RecordId
    ref: RecordId
    check: str

    @classmethod
    def of(cls, event: Event) -> UndoCb:
        """The Undo of ``event``, just added to a client's (or deal's) or a record's card."""
        if event.record_id is not None:
            kind, card = CardKind.RECORD, event.record_id
        else:
            assert event.client_id is not None
            kind, card = CardKind.CLIENT, event.client_id
        return cls(kind=kind.value, card=card, ref=event.id, check=undo_check(event))
