"""The team's own client and deal fields in an import: their values read like a person's
typing, and columns that become new client fields (text, named after the column) when the
import runs; a run that stops before storing a value of one takes the field back, and so
does the import's undo that leaves it holding none. A
``field_<id>`` target names either kind (field ids are one sequence); a deal field's value
goes to the deal the row makes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind
from crm.field_defs import FieldDefs
from crm.field_rules import MAX_FIELD_NAME, options_of
from crm.imports.mapping import FIELD_PREFIX, Target
from crm.imports.rows import FieldParser, RowDraft
from crm.parsing.fields import FieldType, FieldValueError, Parsed, parse_value
from crm.parsing.search_text import fold
from storage.models import FieldDef, ImportItem, User

log = logging.getLogger(__name__)


async def card_fields(session: AsyncSession) -> dict[int, FieldDef]:
    """The client and deal fields a column may go to."""
    kinds = (CardKind.CLIENT.value, CardKind.DEAL.value)
    rows = await session.scalars(select(FieldDef).where(FieldDef.kind.in_(kinds)))
    return {f.id: f for f in rows}


def deal_ids(fields: dict[int, FieldDef]) -> frozenset[int]:
    return frozenset(i for i, f in fields.items() if f.kind == CardKind.DEAL.value)


def by_name(fields: dict[int, FieldDef]) -> dict[str, int]:
    """Folded name → id, for matching headers to fields."""
    return {fold(f.name): f.id for f in sorted(fields.values(), key=lambda f: f.id, reverse=True)}


def parser(fields: dict[int, FieldDef], region: str) -> FieldParser:
    def parse(field_id: int, text: str) -> Parsed:
        field = fields.get(field_id)
        if field is None:
            raise FieldValueError("field_gone")
        return parse_value(FieldType(field.type), text, options_of(field), region)

    return parse


class Defined(NamedTuple):
    mapping: list[str]  # ``define_new``'s
    made: list[int]  # the fields defined, each an item of the batch as it is defined


class Batch(NamedTuple):
    """The import's batch (``batch_row.opened``), whose items name the fields defined."""

    session: AsyncSession
    batch_id: int


@asynccontextmanager
async def new_fields(
    defs: FieldDefs,
    actor: User,
    headers: list[str],
    mapping: list[str],
    batch: Batch,
    kind: tuple[CardKind, int | None] = (CardKind.CLIENT, None),
) -> AsyncIterator[Defined]:
    """``define_new``'s mapping for the import run inside, each field defined in one
    transaction with the batch's item naming it, so no stop of the bot leaves one its
    undo cannot take back. When the run stops on an error or is cancelled (or defining a
    later column's field fails), each field defined for it that holds no value is deleted
    again: a failed import leaves no field behind, while one its stored chunks filled
    stays with their values (its undo takes it back with them)."""
    made: list[int] = []
    try:
        yield Defined(await define_new(defs, actor, headers, mapping, kind, made, batch), made)
    except BaseException:
        try:
            await defs.withdraw(made)
        except Exception:
            log.exception("the fields %s an import defined were left behind", made)
        raise


async def define_new(
    defs: FieldDefs,
    actor: User,
    headers: list[str],
    mapping: list[str],
    kind: tuple[CardKind, int | None],
    made: list[int],
    batch: Batch,
) -> list[str]:
    """The mapping with each "new field" column pointing at a field named after its header:
    an existing field of that name, or a new text field (owners only); ``kind``: a client's
    field, or a record's of that type. ``made`` gets the ids of the fields defined."""
    if Target.NEW_FIELD not in mapping:
        return mapping
    card, type_id = kind
    existing = by_name({f.id: f for f in await defs.of(card, type_id)})
    resolved = list(mapping)

    def item(field: FieldDef) -> None:
        made.append(field.id)
        batch_id, created = batch.batch_id, "created"
        batch.session.add(
            ImportItem(batch_id=batch_id, entity="field", record_id=field.id, action=created)
        )

    for column, target in enumerate(mapping):
        if target != Target.NEW_FIELD:
            continue
        header = headers[column] if column < len(headers) else ""
        name = " ".join(header.split())[:MAX_FIELD_NAME] or f"#{column + 1}"
        field_id = existing.get(fold(name))
        if field_id is None:
            field = await defs.define(
                actor, card, name, FieldType.TEXT, record_type_id=type_id, along=item
            )
            field_id = existing[fold(name)] = field.id
        resolved[column] = f"{FIELD_PREFIX}{field_id}"
    return resolved


def field_rows(pairs: list[tuple[int, RowDraft]]) -> list[dict[str, Any]]:
    """The ``field_values`` rows of each client's custom values (one per chosen option)."""
    return value_rows([(client_id, draft.values) for client_id, draft in pairs], "client_id")


def value_rows(pairs: list[tuple[int, dict[int, Parsed]]], column: str) -> list[dict[str, Any]]:
    """``field_values`` rows of each card's values; ``column``: client_id, deal_id or record_id."""
    rows: list[dict[str, Any]] = []
    for card_id, values in pairs:
        for field_id, parsed in values.items():
            base: dict[str, Any] = {"field_id": field_id, "client_id": None, "deal_id": None}
            base.update(record_id=None, num_value=None, date_value=None, text_value=None)
            base[column] = card_id
            if parsed.option_ids:
                rows += [{**base, "int_value": option} for option in parsed.option_ids]
                continue
            base.update(int_value=parsed.int_value, num_value=parsed.num_value)
            base.update(date_value=parsed.date_value, text_value=parsed.text_value)
            rows.append(base)
    return rows


def field_words(draft: RowDraft) -> str:
    return " ".join(parsed.search for parsed in draft.values.values() if parsed.search)
