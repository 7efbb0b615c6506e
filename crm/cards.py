"""A card of any kind (client, deal, record) named by kind and id, and the rules for seeing one.

Custom field values, links and the timeline work the same on every kind of
card; this module is the one place that knows which column of ``field_values``,
``links`` and ``events`` holds which kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from crm import visibility
from crm.errors import ErrorCode, InvalidInput, NotFound
from crm.team_settings import TeamSettings
from storage.models import Client, Deal, Event, FieldValue, Link, Record, User


class CardKind(StrEnum):
    CLIENT = "client"
    DEAL = "deal"
    RECORD = "record"


@dataclass(frozen=True)
class CardRef:
    kind: CardKind
    id: int

    @classmethod
    def of(cls, kind: str, card_id: int) -> CardRef:
        try:
            return cls(CardKind(kind), int(card_id))
        except ValueError:
            raise InvalidInput(ErrorCode.BAD_CARD) from None

    def plain(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "id": self.id}


Card = Client | Deal | Record
# Work a use case runs on a card it just created, in the same transaction (custom values).
Fill = Callable[[Card], Awaitable[None]]


def value_column(kind: CardKind) -> InstrumentedAttribute[int | None]:
    return {
        CardKind.CLIENT: FieldValue.client_id,
        CardKind.DEAL: FieldValue.deal_id,
        CardKind.RECORD: FieldValue.record_id,
    }[kind]


def link_columns(kind: CardKind) -> tuple[InstrumentedAttribute[int | None], ...]:
    """Side a's and side b's column for ``kind``."""
    return {
        CardKind.CLIENT: (Link.a_client_id, Link.b_client_id),
        CardKind.DEAL: (Link.a_deal_id, Link.b_deal_id),
        CardKind.RECORD: (Link.a_record_id, Link.b_record_id),
    }[kind]


def link_side(link: Link, side: str) -> CardRef:
    for kind in CardKind:
        card_id = getattr(link, f"{side}_{kind.value}_id")
        if card_id is not None:
            return CardRef(kind, card_id)
    raise ValueError("a link side with no card")


class EventRefs(TypedDict, total=False):
    client_id: int
    deal_id: int
    record_id: int


def event_refs(ref: CardRef) -> EventRefs:
    """The ``events.record`` keywords that put an event on this card's timeline."""
    if ref.kind == CardKind.CLIENT:
        return {"client_id": ref.id}
    if ref.kind == CardKind.DEAL:
        return {"deal_id": ref.id}
    return {"record_id": ref.id}


def link_event_data(
    link_id: int,
    other: CardRef,
    title: str,
    type_id: int | None,
    quantity: int | None = None,
    price: int | None = None,
) -> dict[str, Any]:
    """What "link_added" and "link_removed" keep on a card's timeline: the link, the other
    card (its title and record type as they were), and a deal line's quantity and price."""
    return {
        "link_id": link_id,
        "other": other.plain(),
        "title": title,
        "type_id": type_id,
        "quantity": quantity,
        "price": price,
    }


def event_column(kind: CardKind) -> InstrumentedAttribute[int | None]:
    return {
        CardKind.CLIENT: Event.client_id,
        CardKind.DEAL: Event.deal_id,
        CardKind.RECORD: Event.record_id,
    }[kind]


def title_of(card: Card) -> str:
    return card.name if isinstance(card, Client) else card.title


def can_see_record(actor: User, record: Record, managers_see_all: bool) -> bool:
    if not actor.active:
        return False
    if visibility.sees_all_clients(actor, managers_see_all):
        return True
    return record.manager_id is None or record.manager_id == actor.id


def visible_records(actor: User, managers_see_all: bool) -> ColumnElement[bool]:
    """The SQL form of ``can_see_record``: the same rules as clients."""
    if visibility.sees_all_clients(actor, managers_see_all):
        return true()
    return visibility.managed_by(Record.manager_id, actor.id)


class Cards:
    def __init__(self, session: AsyncSession, settings: TeamSettings) -> None:
        self._session = session
        self._settings = settings

    async def visible(self, actor: User, ref: CardRef) -> Card:
        """The card if ``actor`` may see it; NotFound otherwise (gone and hidden look the same)."""
        see_all = await self._settings.managers_see_all()
        if ref.kind == CardKind.CLIENT:
            client = await self._session.get(Client, ref.id)
            if client is not None and visibility.can_see_client(actor, client, see_all):
                return client
        elif ref.kind == CardKind.DEAL:
            deal = await self._session.get(Deal, ref.id)
            if deal is not None:
                client = await self._session.get(Client, deal.client_id)
                if client is not None and visibility.can_see_client(actor, client, see_all):
                    return deal
        else:
            record = await self._session.get(Record, ref.id)
            if record is not None and can_see_record(actor, record, see_all):
                return record
        raise NotFound()

    async def can_see(self, actor: User, ref: CardRef) -> bool:
        try:
            await self.visible(actor, ref)
        except NotFound:
            return False
        return True
