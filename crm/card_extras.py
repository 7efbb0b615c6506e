"""What a card shows besides its own columns: its custom fields and its links, read together.

Clients, deals and records show their filled custom fields and their links
grouped by kind. ``CardExtras.read`` gets both in one statement (the card's
values and its links with the other cards' titles, as one ``UNION ALL``), and
takes the field definitions and the record types naming the links' groups from
the process's copy (``DefsCache``): one round trip for the lot, where separate
reads took four. ``FieldValues.read`` and ``Links.read`` give the same answers
one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.cards import Card, CardKind, CardRef
from crm.field_defs import FieldDefs
from crm.field_plain import ShownValue, ValueRow, shown_values, values_query
from crm.link_views import LinkView, card_params, link_views, links_query
from crm.record_types import RecordTypes
from crm.team_settings import TeamSettings
from storage.models import Record, RecordType, User


@dataclass(frozen=True)
class Extras:
    values: list[ShownValue]  # every field of the card in card order (value None: empty)
    links: list[LinkView]  # the links to cards the reader can see
    types: Mapping[int, RecordType]  # every record type by id, to name the links' groups


class CardExtras:
    def __init__(
        self,
        session: AsyncSession,
        settings: TeamSettings,
        fields: FieldDefs,
        types: RecordTypes,
    ) -> None:
        self._session = session
        self._settings = settings
        self._fields = fields
        self._types = types

    async def read(self, actor: User, ref: CardRef, card: Card) -> Extras:
        """The card's fields and links as ``actor`` sees them; the caller checked the card."""
        type_id = card.type_id if isinstance(card, Record) else None
        fields = await self._fields.shown(ref.kind, type_id)
        types = await self._types.shown()
        sees_all = visibility.sees_all_clients(actor, await self._settings.managers_see_all())
        params = card_params(actor, ref)
        if not fields:  # a team without fields of this kind: no values to read
            rows = await self._session.execute(links_query(ref.kind, sees_all), params)
            return Extras([], link_views(rows), types)
        found = (await self._session.execute(_extras_query(ref.kind, sees_all), params)).all()
        width = 2 + _LINK_REST
        links = [(row[1], *row[2:width]) for row in found if row[0]]
        values = [ValueRow(row[1], *row[width:]) for row in found if not row[0]]
        return Extras(shown_values(fields, values), link_views(links), types)


_LINK_REST = len(links_query(CardKind.CLIENT, True).selected_columns) - 1


@cache
def _extras_query(kind: CardKind, sees_all: bool) -> CompoundSelect[*tuple[Any, ...]]:
    """A card's links and values as one ``UNION ALL`` (built once per kind and reader,
    run with ``card_params``): a row is a link (``is_link`` 1) or a value (0), its id,
    then the link's columns and the value's, the other's left null."""
    linked = links_query(kind, sees_all).subquery()
    values = values_query(kind).order_by(None).subquery()
    link_rest, value_rest = list(linked.c)[1:], list(values.c)[1:]
    return union_all(
        select(
            literal_column("1").label("is_link"),
            linked.c.link_id.label("row_id"),
            *link_rest,
            *(_null_as(column) for column in value_rest),
        ),
        select(
            literal_column("0"),
            values.c.id,
            *(_null_as(column) for column in link_rest),
            *value_rest,
        ),
    ).order_by(literal_column("is_link"), literal_column("row_id"))


def _null_as(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A null in the place of ``column``, of its type (a union's columns take their
    types from its first select: a date or a time read from SQLite needs its own)."""
    return type_coerce(null(), column.type).label(f"no_{column.key}")
