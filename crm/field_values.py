"""Custom field values on any card: read, set (with an event old → new), clear.

The plain form of a value and its reading are in ``crm.field_plain``.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.access import can_change_deal
from crm.automation import triggers
from crm.cards import Card, CardKind, CardRef, Cards, event_refs, value_column
from crm.client_index import search_text, value_words, with_fields
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, refuse_filled
from crm.field_defs import FieldDefs
from crm.field_plain import (
    Plain,
    ShownValue,
    ValueRow,
    plain_of,
    shown_text,
    shown_values,
    value_text,
    values_query,
)
from crm.field_rules import parse_for_field
from crm.parsing.fields import SEARCH_TYPES, FieldType, Parsed
from crm.parsing.search_text import fold
from crm.row_locks import cards_locked, deal_locked, locked
from storage.engine import write_transaction
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientTag,
    Deal,
    FieldDef,
    FieldValue,
    Record,
    User,
)


def rows_for(field: FieldDef, ref: CardRef, parsed: Parsed) -> list[FieldValue]:
    card = {f"{ref.kind.value}_id": ref.id}
    if parsed.option_ids:
        return [FieldValue(field_id=field.id, int_value=o, **card) for o in parsed.option_ids]
    return [
        FieldValue(
            field_id=field.id,
            int_value=parsed.int_value,
            num_value=parsed.num_value,
            date_value=parsed.date_value,
            text_value=parsed.text_value,
            **card,
        )
    ]


class FieldValues:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        cards: Cards,
        fields: FieldDefs,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._cards = cards
        self._fields = fields

    # --- reading ---------------------------------------------------------------------

    async def of_card(self, actor: User, ref: CardRef) -> list[ShownValue]:
        """Every field of the card in card order, with its value or None."""
        card = await self._cards.visible(actor, ref)
        return await self.read(ref, card)

    async def read(self, ref: CardRef, card: Card) -> list[ShownValue]:
        """As ``of_card``, for a card whose access was checked (exports, automation)."""
        type_id = card.type_id if isinstance(card, Record) else None
        fields = await self._fields.shown(ref.kind, type_id)
        if not fields:  # a team without fields of this kind: nothing more to read
            return []
        rows = await self._session.execute(values_query(ref.kind), {"card": ref.id})
        return shown_values(fields, (ValueRow(*row) for row in rows))

    # --- writing ---------------------------------------------------------------------

    def parse(self, field: FieldDef, text: str) -> Parsed:
        """The text as a value of the field, or InvalidInput with the reason."""
        return parse_for_field(field, text, self._config.default_phone_region)

    async def set(
        self, actor: User, ref: CardRef, field_id: int, text: str, only_if_empty: bool = False
    ) -> Plain:
        """Set one field from what a person typed; returns the new plain value.
        ``only_if_empty``: refused (``FILLED_MEANWHILE``) if the field has a value now."""
        async with write_transaction(self._session):
            await self._field_held(field_id)
            card = await self._changeable(actor, ref)
            field = await self._field_of(ref, card, field_id)
            parsed = self.parse(field, text)
            return await self.apply(actor, ref, card, field, parsed, only_if_empty)

    async def clear(self, actor: User, ref: CardRef, field_id: int) -> None:
        async with write_transaction(self._session):
            await self._field_held(field_id)
            card = await self._changeable(actor, ref)
            field = await self._field_of(ref, card, field_id)
            if field.required:
                raise InvalidInput(ErrorCode.FIELD_REQUIRED, name=field.name)
            await self.apply(actor, ref, card, field, None)

    async def apply(
        self, actor: User, ref: CardRef, card: Card, field: FieldDef, parsed: Parsed | None,
        only_if_empty: bool = False, with_card: bool = False,
    ) -> Plain:  # fmt: skip
        """Replace the value inside the caller's write transaction; event when it changed.
        ``only_if_empty``: not if it has one (as text: a template's placeholder's value).
        ``with_card``: written as the card is created (its event says so: a deal made on
        the wrong card is still taken back, crm.deal_edits)."""
        column = value_column(ref.kind)
        old_rows = list(
            await self._session.scalars(
                select(FieldValue).where(column == ref.id, FieldValue.field_id == field.id)
            )
        )
        old = plain_of(field, old_rows)
        refuse_filled(only_if_empty, value_text(field, old))
        new_rows = rows_for(field, ref, parsed) if parsed is not None else []
        new = plain_of(field, new_rows)
        if old == new:
            return new
        await self._session.execute(
            delete(FieldValue).where(column == ref.id, FieldValue.field_id == field.id)
        )
        self._session.add_all(new_rows)
        await self._session.flush()
        now = self._clock.now()
        card.last_activity_at = now
        refs = event_refs(ref)
        if isinstance(card, Deal):
            refs["client_id"] = card.client_id
        changed = events.record(
            self._session,
            self._clock,
            "custom_field_changed",
            actor.id,
            **refs,
            data={
                "field_id": field.id,
                "field": field.name,
                "type": field.type,
                "old": old,
                "new": new,
                **({"with_card": True} if with_card else {}),
            },
        )
        if FieldType(field.type) in SEARCH_TYPES:
            await self.refresh_search(ref, card)
        await triggers.on_event(self._session, self._clock, changed)
        return new

    async def refresh_search(self, ref: CardRef, card: Card) -> None:
        """Put the card's searchable custom values into its search line."""
        await refresh_search(self._session, ref, card)

    # --- helpers ---------------------------------------------------------------------

    async def _changeable(self, actor: User, ref: CardRef) -> Card:
        # Locked and read afresh first (crm.row_locks), a deal with its client as the deal's
        # other writers lock them: on PostgreSQL two members setting one field at once each
        # replaced the values it had read, and the card was left with both members' values.
        if ref.kind == CardKind.DEAL:
            await deal_locked(self._session, ref.id)
        else:
            await cards_locked(self._session, [ref])
        card = await self._cards.visible(actor, ref)
        if isinstance(card, Deal) and not can_change_deal(actor, card):
            raise NotAllowed()
        return card

    async def _field_held(self, field_id: int) -> None:
        """The field held against its deletion before the card is locked: the deletion
        locks the field, then the cards (``FieldDefs.delete``), so a member's value waits
        for it and then finds the field gone, on PostgreSQL too (the other order ended
        in a deadlock or a foreign key's error)."""
        await locked(self._session, FieldDef, field_id)

    async def _field_of(self, ref: CardRef, card: Card, field_id: int) -> FieldDef:
        field = await self._session.get(FieldDef, field_id)
        type_id = card.type_id if isinstance(card, Record) else None
        if field is None or field.kind != ref.kind.value or field.record_type_id != type_id:
            raise Conflict(ErrorCode.FIELD_GONE)
        return field


async def refresh_search(session: AsyncSession, ref: CardRef, card: Card) -> None:
    """Put the card's searchable custom values into its search line (after a value of a
    ``SEARCH_TYPES`` field changed, by a member or by a rule)."""
    if isinstance(card, Deal):
        return
    # Read afresh after another's write (crm.row_locks): the line is rebuilt from the values.
    await locked(session, Client if isinstance(card, Client) else Record, card.id)
    words = await search_words(session, ref)
    if isinstance(card, Record):
        card.search_text = fold(" ".join([card.title, words]))
        return
    assert isinstance(card, Client)
    card.fields_search = words
    card.search_text = await client_search_text(session, card)


async def search_words(session: AsyncSession, ref: CardRef) -> str:
    """The card's searchable custom values, as its search line holds them."""
    column = value_column(ref.kind)
    rows = await session.execute(
        select(FieldDef.type, FieldValue.text_value)
        .join(FieldDef, FieldDef.id == FieldValue.field_id)
        .where(column == ref.id, FieldDef.type.in_([t.value for t in SEARCH_TYPES]))
        .order_by(FieldValue.id)
    )
    return " ".join(word for type_, text in rows for word in value_words(type_, text))


async def client_search_text(session: AsyncSession, client: Client) -> str:
    """The client's whole search line: its built-in fields and its custom ones."""
    phones = await session.scalars(
        select(ClientPhone.e164).where(ClientPhone.client_id == client.id)
    )
    emails = await session.scalars(
        select(ClientEmail.email).where(ClientEmail.client_id == client.id)
    )
    tags = await session.scalars(select(ClientTag.tag).where(ClientTag.client_id == client.id))
    built_in = search_text(
        client.name, client.company, client.city, list(emails), list(tags), list(phones)
    )
    return with_fields(built_in, client.fields_search)


__all__ = ["CardKind", "FieldValues", "Plain", "ShownValue", "plain_of", "shown_text", "value_text"]
