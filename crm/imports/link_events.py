"""What an import's links leave on the timelines: "link_added" on both cards as linking by
hand writes it, and on undo "link removed" on each card that stays, as unlinking by hand
writes it (``crm.link_writes``): the timeline keeps what happened. An earlier import's
undo does not count those lines as a change to its cards (``undone_links``). Written as
rows for one multi-row insert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events
from crm.cards import CardRef, event_refs, link_event_data, link_side
from crm.imports.writer import insert_rows
from storage.models import Event, ImportBatch, ImportItem, Link

CHUNK = 500


@dataclass(frozen=True, slots=True)
class Side:
    """A card as a link's item keeps it: undo writes "link_removed" with these."""

    ref: CardRef
    title: str
    type_id: int | None

    def plain(self) -> dict[str, Any]:
        return {**self.ref.plain(), "title": self.title, "type_id": self.type_id}


def link_event(
    kind: str, link_id: int, card: Side, other: Side, actor_id: int, now: datetime
) -> dict[str, Any]:
    """The event on ``card``'s timeline, as ``crm.links`` writes it for a link by hand."""
    data = link_event_data(link_id, other.ref, other.title, other.type_id)
    return events.row(now, kind, actor_id, **event_refs(card.ref), data=data)


async def unlink(
    session: AsyncSession,
    actor_id: int,
    now: datetime,
    made: list[tuple[int, dict[str, Any]]],
    gone: set[CardRef],
) -> int:
    """Undo's part: remove the links an import made (id, the item's ``before``) that are
    still there, writing "link_removed" on the timelines of the cards that stay (``gone``:
    the cards undo deletes, whose events go with them). How many were removed."""
    removed = 0
    for start in range(0, len(made), CHUNK):
        part = dict(made[start : start + CHUNK])
        there = await session.scalars(select(Link).where(Link.id.in_(list(part))))
        events, ids = [], []
        for link in there:
            a, b = _side_of(part[link.id]["a"]), _side_of(part[link.id]["b"])
            if {a.ref, b.ref} != {link_side(link, "a"), link_side(link, "b")}:
                continue  # not the import's link (ids are never given again: a backstop)
            ids.append(link.id)
            events += [
                link_event("link_removed", link.id, card, other, actor_id, now)
                for card, other in ((a, b), (b, a))
                if card.ref not in gone
            ]
        await session.execute(delete(Link).where(Link.id.in_(ids)))
        await insert_rows(session, Event, events)
        removed += len(ids)
    return removed


async def undone_links(session: AsyncSession, link_ids: set[int]) -> set[int]:
    """Those of ``link_ids`` an import made and its undo removed: their "link_added" and
    "link_removed" lines change nothing on a card that stays."""
    found: set[int] = set()
    ordered = sorted(link_ids)
    for start in range(0, len(ordered), CHUNK):
        rows = await session.scalars(
            select(ImportItem.record_id)
            .join(ImportBatch, ImportBatch.id == ImportItem.batch_id)
            .where(
                ImportItem.entity == "link",
                ImportItem.record_id.in_(ordered[start : start + CHUNK]),
                ImportBatch.undone_at.is_not(None),
            )
        )
        found.update(rows)
    return found


def _side_of(plain: dict[str, Any]) -> Side:
    """A side as an item kept it (``Side.plain``)."""
    ref = CardRef.of(str(plain["kind"]), int(plain["id"]))
    type_id = plain.get("type_id")
    return Side(ref, str(plain.get("title") or ""), int(type_id) if type_id else None)
