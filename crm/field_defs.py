"""The owner shapes the cards: custom fields of clients, deals and each record type.

A field has a name, a type, whether it is required, and a place in the card.
Names must not clash with the card's built-in fields or with each other. A
list field keeps its options with stable ids, so renaming an option (or the
field) keeps every value. Deleting a field deletes its values and says how
many cards held one; the timeline keeps the history (events carry the name).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.cards import CardKind, value_column
from crm.clock import Clock
from crm.defs_cache import DefsCache
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.field_rules import (
    BUILT_IN,
    MAX_FIELDS,
    MAX_OPTION_NAME,
    added_options,
    clean_name,
    clean_options,
    options_of,
)
from crm.field_withdrawal import delete_unheld, held_back
from crm.parsing.fields import LIST_TYPES, SEARCH_TYPES, FieldType
from crm.parsing.search_text import fold
from crm.search_lines import rebuild_search
from crm.team_settings import can_change_settings
from storage.models import FieldDef, FieldValue, RecordType, User


async def required_fields(
    session: AsyncSession, kind: CardKind, record_type_id: int | None = None
) -> dict[int, str]:
    """The required fields of a kind of card, id → name in card order: what a card made
    without a person (a lead, an import) is flagged as lacking."""
    query = select(FieldDef.id, FieldDef.name).where(FieldDef.kind == kind.value, FieldDef.required)
    if kind == CardKind.RECORD:
        query = query.where(FieldDef.record_type_id == record_type_id)
    rows = await session.execute(query.order_by(FieldDef.position, FieldDef.id))
    return {field_id: name for field_id, name in rows}


class FieldDefs:
    def __init__(self, session: AsyncSession, clock: Clock, cache: DefsCache) -> None:
        self._session = session
        self._clock = clock
        self._cache = cache

    async def shown(
        self, kind: CardKind, record_type_id: int | None = None
    ) -> tuple[FieldDef, ...]:
        """As ``of``, from the process's copy (see DefsCache), for the cards: read only."""
        type_id = record_type_id if kind == CardKind.RECORD else None
        return (await self._cache.get(self._session)).fields_of(kind.value, type_id)

    async def of(self, kind: CardKind, record_type_id: int | None = None) -> list[FieldDef]:
        """The fields of a kind of card (of one record type for records), in card order,
        from this session (what changes them reads them here)."""
        query = select(FieldDef).where(FieldDef.kind == kind.value)
        if kind == CardKind.RECORD:
            query = query.where(FieldDef.record_type_id == record_type_id)
        rows = await self._session.scalars(query.order_by(FieldDef.position, FieldDef.id))
        return list(rows)

    async def get(self, field_id: int) -> FieldDef:
        field = await self._session.get(FieldDef, field_id)
        if field is None:
            raise NotFound(ErrorCode.FIELD_GONE)
        return field

    async def define(
        self,
        actor: User,
        kind: CardKind,
        name: str,
        type_: FieldType,
        *,
        record_type_id: int | None = None,
        required: bool = False,
        options: list[str] | None = None,
        along: Callable[[FieldDef], object] = lambda _field: None,
    ) -> FieldDef:
        """``along``: written in the same transaction, given the field (an import's item)."""
        self._require_owner(actor)
        name = clean_name(name)
        option_names = clean_options(options or []) if type_ in LIST_TYPES else []
        if type_ in LIST_TYPES and not option_names:
            raise InvalidInput(ErrorCode.NO_OPTIONS)
        async with self._cache.changing(self._session):
            field = await self.add(kind, name, type_, record_type_id, required, option_names)
            along(field)
            return field

    async def new_name(self, kind: CardKind, name: str, record_type_id: int | None = None) -> str:
        """A new field's name, cleaned; refused now (InvalidInput) when it is empty, too long
        or taken (a built-in field, another of the card's), before its type is asked."""
        name = clean_name(name)
        if kind == CardKind.RECORD and not await self._session.get(RecordType, record_type_id or 0):
            raise NotFound(ErrorCode.RECORD_TYPE_GONE)  # deleted meanwhile: no type to ask
        self._check_clash(kind, name, await self.of(kind, record_type_id))
        return name

    async def add(
        self,
        kind: CardKind,
        name: str,
        type_: FieldType,
        record_type_id: int | None,
        required: bool,
        option_names: list[str],
    ) -> FieldDef:
        """``define`` inside the caller's write transaction, with checked name and options."""
        if kind == CardKind.RECORD:
            gone = record_type_id is None or not await self._session.get(RecordType, record_type_id)
            if gone:
                raise NotFound(ErrorCode.RECORD_TYPE_GONE)
        else:
            record_type_id = None
        existing = await self.of(kind, record_type_id)
        if len(existing) >= MAX_FIELDS:
            raise InvalidInput(ErrorCode.TOO_MANY_FIELDS, limit=MAX_FIELDS)
        self._check_clash(kind, name, existing)
        field = FieldDef(
            kind=kind.value,
            record_type_id=record_type_id,
            name=name,
            type=type_.value,
            required=required,
            position=max((f.position for f in existing), default=-1) + 1,
            options=[{"id": i, "name": n} for i, n in enumerate(option_names, start=1)],
            created_at=self._clock.now(),
        )
        self._session.add(field)
        await self._session.flush()
        return field

    async def rename(self, actor: User, field_id: int, name: str) -> FieldDef:
        self._require_owner(actor)
        name = clean_name(name)
        async with self._cache.changing(self._session):
            field = await self.get(field_id)
            others = [f for f in await self._siblings(field) if f.id != field.id]
            self._check_clash(CardKind(field.kind), name, others)
            field.name = name
            return field

    async def set_required(self, actor: User, field_id: int, required: bool) -> FieldDef:
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            field = await self.get(field_id)
            field.required = required
            return field

    async def move(self, actor: User, field_id: int, step: int) -> list[FieldDef]:
        """Move a field up (-1) or down (+1) in its card; returns the new order."""
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            field = await self.get(field_id)
            fields = await self._siblings(field)
            index = next(i for i, f in enumerate(fields) if f.id == field.id)
            target = min(max(index + step, 0), len(fields) - 1)
            fields.insert(target, fields.pop(index))
            for position, item in enumerate(fields):
                item.position = position
            return fields

    async def holders(self, field_id: int) -> int:
        """How many cards hold a value of the field (asked before deleting it)."""
        field = await self.get(field_id)
        column = value_column(CardKind(field.kind))
        count = await self._session.scalar(
            select(func.count(func.distinct(column))).where(FieldValue.field_id == field_id)
        )
        return int(count or 0)

    async def delete(self, actor: User, field_id: int) -> int:
        """Delete the field and its values; returns how many cards held one. A searchable
        field's values leave the search lines of the cards that held them."""
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            # Locked first, as a member's value locks it first (FieldValues._field_held):
            # theirs waits, then finds the field gone, so every value the cards held is
            # among those deleted.
            field = await self._session.get(
                FieldDef, field_id, with_for_update=True, populate_existing=True
            )
            if field is None:
                raise NotFound(ErrorCode.FIELD_GONE)
            kind = CardKind(field.kind)
            column = value_column(kind)
            deleted = await self._session.scalars(
                delete(FieldValue).where(FieldValue.field_id == field_id).returning(column)
            )
            holders = {card_id for card_id in deleted if card_id is not None}
            held = len(holders)
            await self._session.delete(field)
            await self._session.flush()
            if FieldType(field.type) in SEARCH_TYPES:
                await rebuild_search(self._session, kind, holders)
            events.record(
                self._session,
                self._clock,
                "field_deleted",
                actor.id,
                data={"field_id": field_id, "name": field.name, "kind": field.kind, "held": held},
            )
            return held

    async def withdraw(self, field_ids: list[int]) -> None:
        """Delete those of ``field_ids`` no card holds a value of: the fields an import
        defined, when it stopped before storing one (no event, as defining made none)."""
        if not field_ids:
            return
        async with self._cache.changing(self._session):
            ids = await held_back(self._session, field_ids)  # locked as ``delete`` locks
            await delete_unheld(self._session, list(ids))

    # --- options of a list field -----------------------------------------------------

    async def add_option(self, actor: User, field_id: int, text: str) -> FieldDef:
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            field = await self._list_field(field_id)
            added = added_options([o.name for o in options_of(field)], text)
            first = max((o.id for o in options_of(field)), default=0) + 1
            new = [{"id": first + n, "name": name} for n, name in enumerate(added)]
            field.options = [*field.options, *new]
            return field

    async def rename_option(
        self, actor: User, field_id: int, option_id: int, name: str
    ) -> FieldDef:
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            field = await self._list_field(field_id)
            if option_id not in {o.id for o in options_of(field)}:
                raise Conflict(ErrorCode.OPTION_GONE)
            renamed = [
                {"id": o.id, "name": name if o.id == option_id else o.name}
                for o in options_of(field)
            ]
            clean_options([str(item["name"]) for item in renamed])
            field.options = [
                {"id": item["id"], "name": clean_name(str(item["name"]), MAX_OPTION_NAME, "option")}
                for item in renamed
            ]
            return field

    async def option_holders(self, field_id: int, option_id: int) -> int:
        """How many cards chose the option (asked before removing it)."""
        chose = (FieldValue.field_id == field_id) & (FieldValue.int_value == option_id)
        count = await self._session.scalar(select(func.count()).where(chose))
        return int(count or 0)

    async def remove_option(self, actor: User, field_id: int, option_id: int) -> FieldDef:
        """Drop an option; the values that chose it go (a list field keeps at least one)."""
        self._require_owner(actor)
        async with self._cache.changing(self._session):
            field = await self._list_field(field_id)
            kept = [{"id": o.id, "name": o.name} for o in options_of(field) if o.id != option_id]
            if not kept:
                raise InvalidInput(ErrorCode.NO_OPTIONS)
            field.options = kept
            chose = (FieldValue.field_id == field_id) & (FieldValue.int_value == option_id)
            rows = await self._session.scalars(select(FieldValue).where(chose))
            for row in rows:
                await self._session.delete(row)
            return field

    # --- helpers ------------------------------------------------------------------------

    async def _list_field(self, field_id: int) -> FieldDef:
        field = await self.get(field_id)
        if field.type not in LIST_TYPES:
            raise InvalidInput(ErrorCode.NOT_A_LIST_FIELD)
        return field

    async def _siblings(self, field: FieldDef) -> list[FieldDef]:
        return await self.of(CardKind(field.kind), field.record_type_id)

    @staticmethod
    def _check_clash(kind: CardKind, name: str, others: list[FieldDef]) -> None:
        key = fold(name)
        if key in BUILT_IN[kind]:
            raise InvalidInput(ErrorCode.FIELD_NAME_BUILT_IN, name=name)
        if any(fold(other.name) == key for other in others):
            raise InvalidInput(ErrorCode.FIELD_NAME_TAKEN, name=name)

    @staticmethod
    def _require_owner(actor: User) -> None:
        if not can_change_settings(actor):
            raise NotAllowed()
