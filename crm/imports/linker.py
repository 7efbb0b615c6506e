"""An import's links: the names in its link columns matched to cards, and linked in bulk.

Links are made after every row's card is written, a chunk of rows at a time (so a
row may name a card that a later row makes, as an export's "Linked clients" does),
each chunk with one look-up per kind of card named, one for the links between its
cards and those (ids only) and one multi-row insert each for the links, their events and the
batch's items. A name is matched as a person would find the card: clients by
name, deals by title, records by title within their type, folded (each kept folded and
indexed), among the cards the importing member can see (archived clients and records, and
the deals of archived clients, left out), read anew for each chunk; how a cell
is cut into names is ``crm.imports.link_cells``. A name that matches no card or
several is not linked and is reported; the row itself stays imported. A link the
two cards have already is not made again: the cards are locked first, as linking by hand
locks them, so a link a member makes meanwhile is waited for and seen, and the cards named
are looked at again once locked: one deleted, archived or given to another manager since
its name was matched is reported as not found, as it would be a moment later. Each link writes
"link_added" on both cards' timelines, as linking by hand does, and an item that undo
reads (with the two events' ids; undo writes "link_removed" on the cards that stay, which
an earlier import's undo does not count as a change: ``link_events.undone_links``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from crm.cards import CardKind, CardRef, link_columns
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode
from crm.imports.link_cells import candidates, names
from crm.imports.link_events import Side, link_event
from crm.imports.link_targets import LinkTo, link_to
from crm.imports.linkable import linkable
from crm.imports.paced import Guard, in_chunks
from crm.imports.rows import Links
from crm.imports.writer import insert_rows
from crm.pace import Pace
from crm.parsing.search_text import fold
from crm.row_locks import cards_locked
from storage.ids import reserve_ids
from storage.models import Client, Event, ImportItem, Link, Record, RecordType, User

CHUNK = 500  # values per IN (…)
PAIRS = 250  # pairs per look-up of the links there are (up to 1000 ids)
NAMES_KEPT = 50  # names not linked that the result keeps to show


@dataclass(frozen=True, slots=True)
class Unlinked:
    number: int  # the row in the sent file
    name: str
    reason: str  # "not_found" or "ambiguous"


@dataclass(frozen=True, slots=True)
class LinkRow:
    """A written row's card (its id: the kind is the import's) and its link cells."""

    number: int
    card: int
    links: Links  # (link target, the cell's text) each


@dataclass(slots=True)
class Linked:
    rows: int = 0  # rows with names to link
    made: int = 0
    not_linked: int = 0
    names: list[Unlinked] = field(default_factory=list)  # the first NAMES_KEPT of them


Found = dict[str, list[Side]]  # folded name → the visible cards of that name


class Linker:
    """Links of one import; ``type_id``: the imported records' type (None for clients)."""

    def __init__(
        self,
        session: AsyncSession,
        actor: User,
        see_all: bool,
        clock: Clock,
        batch_id: int,
        type_id: int | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._actor = actor
        self._see_all = see_all
        self._batch_id = batch_id
        self._type_id = type_id
        self._kind = CardKind.CLIENT if type_id is None else CardKind.RECORD  # the rows' cards
        self.now = datetime.min
        self.result = Linked()

    async def run(self, pace: Pace, rows: list[LinkRow], guard: Guard) -> Linked:
        """``guard``: each chunk's write as it is done (the import's beat before it)."""

        async def write(indexes: range) -> None:
            await self.chunk([rows[i] for i in indexes])

        self.result.rows = len(rows)
        await in_chunks(self._session, pace, len(rows), guard(write))
        return self.result

    async def chunk(self, rows: list[LinkRow]) -> None:
        self.now = self._clock.now()
        wanted: dict[LinkTo, set[str]] = {}
        for row in rows:
            for target, cell in row.links:
                if (to := link_to(target)) is not None:
                    wanted.setdefault(to, set()).update(candidates(cell))
        found = {to: await self._find(to, keys) for to, keys in wanted.items()}
        own = await self._own([row.card for row in rows])
        pairs: dict[tuple[CardRef, CardRef], tuple[Side, Side]] = {}
        named: dict[tuple[CardRef, CardRef], tuple[int, str]] = {}  # the first row, the name
        for row in rows:
            ours = own.get(row.card)
            for target, cell in row.links:
                to = link_to(target)
                if ours is None or to is None:
                    continue
                cards = found[to]
                for name in names(cell, cards.__contains__):
                    theirs = [s for s in cards.get(fold(name), []) if s.ref != ours.ref]
                    if len(theirs) == 1:
                        pairs.setdefault(_key(ours.ref, theirs[0].ref), (ours, theirs[0]))
                        named.setdefault(_key(ours.ref, theirs[0].ref), (row.number, name))
                    elif theirs or not cards.get(fold(name)):  # the card itself: no link
                        self._not_linked(row.number, name, theirs)
        # Locked as a member's linking locks them, so a pair linked by hand meanwhile is
        # found (crm.row_locks); a card deleted or hidden since it was found is not found.
        there = await cards_locked(self._session, {ref for pair in pairs for ref in pair})
        seen = await self._still_linkable(sides[1] for sides in pairs.values())
        for key in [key for key, sides in pairs.items() if sides[1].ref not in seen]:
            self._not_linked(*named[key], [])
            del pairs[key]
        pairs = {key: sides for key, sides in pairs.items() if there.issuperset(key)}
        have = await self._linked_already(list(pairs))
        await self._insert([sides for key, sides in pairs.items() if key not in have])

    def _not_linked(self, number: int, name: str, theirs: list[Side]) -> None:
        self.result.not_linked += 1
        if len(self.result.names) < NAMES_KEPT:
            reason = "ambiguous" if theirs else "not_found"
            self.result.names.append(Unlinked(number, name[:100], reason))

    async def _find(self, to: LinkTo, keys: set[str]) -> Found:
        """The cards of ``to``'s kind named by ``keys``, read in the chunk's own transaction
        (so a card deleted or given away meanwhile is not linked)."""
        found: Found = {}
        ordered = sorted(keys)
        query, _, folded_column = linkable(to, self._actor, self._see_all)
        for start in range(0, len(ordered), CHUNK):
            part = query.where(folded_column.in_(ordered[start : start + CHUNK]))
            for card_id, title, folded in await self._session.execute(part):
                side = Side(CardRef(to.kind, card_id), title, to.type_id)
                found.setdefault(folded, []).append(side)
        return found

    async def _still_linkable(self, sides: Iterable[Side]) -> set[CardRef]:
        """Those of ``sides`` the member still sees, read once they are locked: a card given
        to another manager (or archived) between its look-up and its lock is not linked, and
        a locked one cannot be until the chunk commits. A deal is seen through its client,
        which is not locked: a client given away after this read is as if given after the link."""
        wanted: dict[LinkTo, set[int]] = {}
        for side in sides:
            wanted.setdefault(LinkTo(side.ref.kind, side.type_id), set()).add(side.ref.id)
        seen: set[CardRef] = set()
        for to, each in wanted.items():
            query, id_column, _ = linkable(to, self._actor, self._see_all)
            ids = sorted(each)
            for start in range(0, len(ids), CHUNK):
                part = query.where(id_column.in_(ids[start : start + CHUNK]))
                seen.update(CardRef(to.kind, row[0]) for row in await self._session.execute(part))
        return seen

    async def _own(self, cards: list[int]) -> dict[int, Side]:
        """The rows' own cards with their titles (a card filled by the import keeps its name)."""
        ids = sorted(set(cards))
        own: dict[int, Side] = {}
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            if self._kind == CardKind.CLIENT:
                query = select(Client.id, Client.name).where(Client.id.in_(part))
            else:
                query = select(Record.id, Record.title).where(Record.id.in_(part))
            for card_id, title in await self._session.execute(query):
                own[card_id] = Side(CardRef(self._kind, card_id), title, self._type_id)
        return own

    async def _linked_already(
        self, pairs: list[tuple[CardRef, CardRef]]
    ) -> set[tuple[CardRef, CardRef]]:
        """Those of ``pairs`` (each as ``_key`` orders it) the two cards are linked in already:
        the id columns of the links both of whose sides are among the pairs' cards."""
        have: set[tuple[CardRef, CardRef]] = set()
        sides = {side: [link_columns(kind)[i] for kind in CardKind] for i, side in enumerate("ab")}
        for start in range(0, len(pairs), PAIRS):
            part = pairs[start : start + PAIRS]
            ids = {
                kind: sorted({r.id for pair in part for r in pair if r.kind == kind})
                for kind in CardKind
            }
            where = (_among(sides["a"], ids), _among(sides["b"], ids))
            query = select(*sides["a"], *sides["b"]).where(*where)
            for row in await self._session.execute(query):
                a, b = (_ref(row[i : i + len(CardKind)]) for i in (0, len(CardKind)))
                have.add(_key(a, b))
        return have & set(pairs)

    async def _insert(self, pairs: list[tuple[Side, Side]]) -> None:
        if not pairs:
            return
        ids = await reserve_ids(self._session, Link, len(pairs))
        event_ids = iter(await reserve_ids(self._session, Event, 2 * len(pairs)))
        links, events, items = [], [], []
        for link_id, (a, b) in zip(ids, pairs, strict=True):
            row: dict[str, Any] = {f"{s}_{k.value}_id": None for s in "ab" for k in CardKind}
            row.update({f"a_{a.ref.kind.value}_id": a.ref.id, f"b_{b.ref.kind.value}_id": b.ref.id})
            row.update(id=link_id, quantity_milli=None, price_minor=None)
            links.append({**row, "created_by": self._actor.id, "created_at": self.now})
            made = [self.event(link_id, a, b), self.event(link_id, b, a)]
            for event in made:
                event["id"] = next(event_ids)
            events += made
            before = {"a": a.plain(), "b": b.plain(), "events": [e["id"] for e in made]}
            items.append(
                {"batch_id": self._batch_id, "entity": "link", "record_id": link_id}
                | {"action": "created", "before": before}
            )
        await insert_rows(self._session, Link, links)
        await insert_rows(self._session, Event, events)
        await insert_rows(self._session, ImportItem, items)
        self.result.made += len(pairs)

    def event(self, link_id: int, card: Side, other: Side) -> dict[str, Any]:
        """The event on ``card``'s timeline, as ``crm.links`` writes it for a link by hand."""
        return link_event("link_added", link_id, card, other, self._actor.id, self.now)


async def check_link_types(session: AsyncSession, mapping: list[str]) -> None:
    """Refuse a mapping that links to a record type that is gone or archived (a mapping
    kept in the dialog may be older than the type's archiving)."""
    wanted = {to.type_id for t in mapping if (to := link_to(t)) and to.type_id is not None}
    if wanted:
        active = await session.scalars(
            select(RecordType.id).where(RecordType.id.in_(wanted), RecordType.archived_at.is_(None))
        )
        if wanted - set(active):
            raise Conflict(ErrorCode.RECORD_TYPE_ARCHIVED)


def _among(
    columns: list[InstrumentedAttribute[int | None]], ids: dict[CardKind, list[int]]
) -> ColumnElement[bool]:
    """A link's side (its id columns in ``CardKind``'s order) is one of ``ids``."""
    return or_(*(c.in_(ids[k]) for c, k in zip(columns, CardKind, strict=True) if ids[k]))


def _ref(ids: Sequence[int | None]) -> CardRef:
    """A link's side from its id columns, one per kind in ``CardKind``'s order."""
    return next(CardRef(kind, i) for kind, i in zip(CardKind, ids, strict=True) if i is not None)


def _key(a: CardRef, b: CardRef) -> tuple[CardRef, CardRef]:
    """A pair of cards in one order, whichever side each is on."""
    return (a, b) if (a.kind.value, a.id) <= (b.kind.value, b.id) else (b, a)


def link_rows(pairs: Iterable[tuple[int, int, Links | None]]) -> list[LinkRow]:
    """The rows that have link cells: (row number, its card's id, its ``RowDraft.links``)."""
    return [LinkRow(number, card, links) for number, card, links in pairs if links]
