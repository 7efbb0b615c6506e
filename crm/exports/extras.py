"""An export's extra columns: the team's custom fields, and links as the linked cards' names.

Both are read a page of cards at a time (one query for the values, one for the
links and one per kind of linked card for their names), so a large export
stays in constant memory. A linked card the reader cannot see is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.cards import CardKind, link_columns, value_column, visible_records
from crm.exports.files import Column, Kind
from crm.field_values import plain_of, value_text
from crm.parsing.fields import FieldType
from storage.models import Client, Deal, FieldDef, FieldValue, Link, Record, RecordType, User

CLIENTS_GROUP = "clients"
DEALS_GROUP = "deals"


@dataclass(frozen=True)
class LinkGroup:
    """A column of linked cards: clients, deals, or the records of one type."""

    key: str  # "clients", "deals" or "type:<id>"
    title: str


class CardExtras:
    """The custom-field and link columns of one kind of card, and their cells page by page."""

    def __init__(
        self,
        session: AsyncSession,
        actor: User,
        see_all: bool,
        kind: CardKind,
        fields: Sequence[FieldDef],
        groups: Sequence[LinkGroup],
        yes_no: tuple[str, str] = ("да", "нет"),
    ) -> None:
        self._session = session
        self._actor = actor
        self._see_all = see_all
        self._kind = kind
        self.fields = list(fields)
        self.groups = list(groups)
        self.yes_no = yes_no  # a yes/no field's cells, in the reader's words

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        actor: User,
        see_all: bool,
        kind: CardKind,
        group_titles: dict[str, str],
        record_type_id: int | None = None,
        yes_no: tuple[str, str] = ("да", "нет"),
    ) -> CardExtras:
        """``group_titles`` names the clients and deals columns in the reader's language,
        ``yes_no`` a yes/no field's two values."""
        query = select(FieldDef).where(FieldDef.kind == kind.value)
        if kind == CardKind.RECORD:
            query = query.where(FieldDef.record_type_id == record_type_id)
        fields = list(await session.scalars(query.order_by(FieldDef.position, FieldDef.id)))
        groups = await _present_groups(session, kind, group_titles)
        return cls(session, actor, see_all, kind, fields, groups, yes_no)

    def columns(self) -> list[Column]:
        fields = [Column(f"field:{f.id}", f.name, _kind_of(f), 18) for f in self.fields]
        links = [Column(f"links:{g.key}", g.title, Kind.TEXT, 28) for g in self.groups]
        return fields + links

    async def cells(self, ids: list[int]) -> dict[int, list[Any]]:
        """For each card of the page, its extra cells in the order of ``columns``."""
        values = await self._values(ids)
        links = await self._links(ids) if self.groups else {}
        out: dict[int, list[Any]] = {}
        for card_id in ids:
            row = [values.get((card_id, f.id)) for f in self.fields]
            linked = links.get(card_id, {})
            row += [", ".join(sorted(linked.get(g.key, []))) or None for g in self.groups]
            out[card_id] = row
        return out

    async def _values(self, ids: list[int]) -> dict[tuple[int, int], Any]:
        if not self.fields:
            return {}
        column = value_column(self._kind)
        by_id = {f.id: f for f in self.fields}
        rows = await self._session.scalars(
            select(FieldValue)
            .where(column.in_(ids), FieldValue.field_id.in_(by_id))
            .order_by(FieldValue.id)
        )
        grouped: dict[tuple[int, int], list[FieldValue]] = {}
        for row in rows:
            card_id = getattr(row, f"{self._kind.value}_id")
            grouped.setdefault((card_id, row.field_id), []).append(row)
        return {key: self._cell(by_id[key[1]], found) for key, found in grouped.items()}

    def _cell(self, field: FieldDef, rows: list[FieldValue]) -> Any:
        if FieldType(field.type) == FieldType.YES_NO and rows[0].int_value is not None:
            return self.yes_no[0] if rows[0].int_value else self.yes_no[1]
        return _cell(field, rows)

    async def _links(self, ids: list[int]) -> dict[int, dict[str, list[str]]]:
        a_column, b_column = link_columns(self._kind)
        rows = await self._session.scalars(
            select(Link).where(or_(a_column.in_(ids), b_column.in_(ids))).order_by(Link.id)
        )
        pairs: list[tuple[int, CardKind, int]] = []  # our card, the other's kind and id
        wanted = set(ids)
        for link in rows:
            for ours, theirs in (("a", "b"), ("b", "a")):
                our_id = getattr(link, f"{ours}_{self._kind.value}_id")
                if our_id in wanted:
                    other = _side(link, theirs)
                    if other is not None:
                        pairs.append((our_id, *other))
        names = await self._names(pairs)
        out: dict[int, dict[str, list[str]]] = {}
        for our_id, kind, other_id in pairs:
            found = names.get((kind, other_id))
            if found is not None:
                group, name = found
                out.setdefault(our_id, {}).setdefault(group, []).append(name)
        return out

    async def _names(
        self, pairs: list[tuple[int, CardKind, int]]
    ) -> dict[tuple[CardKind, int], tuple[str, str]]:
        """(kind, id) → (group, name) of the linked cards the reader may see."""
        wanted: dict[CardKind, set[int]] = {}
        for _ours, kind, other_id in pairs:
            wanted.setdefault(kind, set()).add(other_id)
        names: dict[tuple[CardKind, int], tuple[str, str]] = {}
        seen_clients = visibility.visible_clients(self._actor, self._see_all)
        if wanted.get(CardKind.CLIENT):
            rows = await self._session.execute(
                select(Client.id, Client.name).where(
                    Client.id.in_(wanted[CardKind.CLIENT]), seen_clients
                )
            )
            names.update({(CardKind.CLIENT, i): (CLIENTS_GROUP, n) for i, n in rows.all()})
        if wanted.get(CardKind.DEAL):
            deals = await self._session.execute(
                select(Deal.id, Deal.title, Client.name)
                .join(Client, Client.id == Deal.client_id)
                .where(Deal.id.in_(wanted[CardKind.DEAL]), seen_clients)
            )
            names.update({(CardKind.DEAL, i): (DEALS_GROUP, t or c) for i, t, c in deals.all()})
        if wanted.get(CardKind.RECORD):
            records = await self._session.execute(
                select(Record.id, Record.title, Record.type_id).where(
                    Record.id.in_(wanted[CardKind.RECORD]),
                    visible_records(self._actor, self._see_all),
                )
            )
            names.update({(CardKind.RECORD, i): (f"type:{t}", n) for i, n, t in records.all()})
        return names


def _side(link: Link, side: str) -> tuple[CardKind, int] | None:
    for kind in CardKind:
        card_id = getattr(link, f"{side}_{kind.value}_id")
        if card_id is not None:
            return kind, card_id
    return None


async def _present_groups(
    session: AsyncSession, kind: CardKind, titles: dict[str, str]
) -> list[LinkGroup]:
    """The kinds of card that cards of ``kind`` are linked to: one column each."""
    ours = link_columns(kind)
    groups: list[LinkGroup] = []
    for other, key in ((CardKind.CLIENT, CLIENTS_GROUP), (CardKind.DEAL, DEALS_GROUP)):
        theirs = link_columns(other)
        linked = or_(
            and_(ours[0].is_not(None), theirs[1].is_not(None)),
            and_(ours[1].is_not(None), theirs[0].is_not(None)),
        )
        if await session.scalar(select(exists().where(linked))):
            groups.append(LinkGroup(key, titles.get(key, key)))
    type_ids: set[int] = set()
    for mine, record_side in ((ours[0], Link.b_record_id), (ours[1], Link.a_record_id)):
        rows = await session.scalars(
            select(Record.type_id)
            .join(Link, record_side == Record.id)
            .where(mine.is_not(None))
            .distinct()
        )
        type_ids.update(rows)
    if type_ids:
        types = await session.scalars(
            select(RecordType)
            .where(RecordType.id.in_(type_ids))
            .order_by(RecordType.position, RecordType.id)
        )
        groups += [LinkGroup(f"type:{t.id}", t.plural) for t in types]
    return groups


def _kind_of(field: FieldDef) -> Kind:
    type_ = FieldType(field.type)
    if type_ == FieldType.MONEY:
        return Kind.MONEY
    if type_ == FieldType.DATE:
        return Kind.DATE
    if type_ == FieldType.NUMBER:
        return Kind.NUMBER
    return Kind.TEXT


def _cell(field: FieldDef, rows: list[FieldValue]) -> Any:
    """A value as its cell: money in minor units, a date as a date, a number as a number."""
    type_ = FieldType(field.type)
    if type_ == FieldType.NUMBER and rows[0].num_value is not None:
        number = rows[0].num_value
        return int(number) if number.is_integer() else number
    plain = plain_of(field, rows)
    if type_ == FieldType.MONEY:
        return plain
    if type_ == FieldType.DATE and isinstance(plain, str):
        return date.fromisoformat(plain)
    return value_text(field, plain) or None
