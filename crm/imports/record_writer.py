"""Storing one chunk of a records' import with bulk statements, as ``writer`` does clients.

Created records go in with their values, one ``imported`` event each (naming
the required fields left empty, if any) and the batch's items; a record that
existed gets the values it lacked, and its item keeps what undo must take back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import row_locks
from crm.event_data import Imported
from crm.events import EventKind
from crm.imports.fields import field_words, value_rows
from crm.imports.required import Required
from crm.imports.rows import RowDraft
from crm.imports.writer import insert_rows
from crm.parsing.search_text import fold
from storage.ids import reserve_ids
from storage.models import Event, FieldValue, ImportItem, Record


@dataclass
class Context:
    batch_id: int
    file_name: str
    actor_id: int
    now: datetime
    type_id: int
    required: Required

    def event(self, record_id: int, data: Imported) -> dict[str, Any]:
        return {
            "occurred_at": self.now,
            "actor_id": self.actor_id,
            "kind": EventKind.IMPORTED,
            "client_id": None,
            "deal_id": None,
            "task_id": None,
            "record_id": record_id,
            "text": None,
            "data": data,
        }

    def item(
        self, record_id: int, action: str, before: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "entity": "record",
            "record_id": record_id,
            "action": action,
            "before": before or {},
        }


def search_line(title: str, words: str) -> str:
    return fold(" ".join(part for part in (title, words) if part))


async def create_records(session: AsyncSession, ctx: Context, drafts: list[RowDraft]) -> list[int]:
    if not drafts:
        return []
    ids = await reserve_ids(session, Record, len(drafts))
    rows = [
        {
            "id": record_id,
            "type_id": ctx.type_id,
            "title": d.name,
            "title_folded": fold(d.name),
            "search_text": search_line(d.name, field_words(d)),
            "manager_id": ctx.actor_id,
            "created_by": ctx.actor_id,
            "created_at": ctx.now,
            "last_activity_at": ctx.now,
            "archived_at": None,
        }
        for record_id, d in zip(ids, drafts, strict=True)
    ]
    await insert_rows(session, Record, rows)
    pairs = list(zip(ids, drafts, strict=True))
    await insert_rows(
        session, FieldValue, value_rows([(i, d.values) for i, d in pairs], "record_id")
    )
    events = []
    for record_id, draft in pairs:
        data = Imported(batch=ctx.batch_id, file=ctx.file_name)
        if missing := ctx.required.client_missing(draft):
            data["missing"] = missing
        events.append(ctx.event(record_id, data))
    await insert_rows(session, Event, events)
    await insert_rows(session, ImportItem, [ctx.item(i, "created") for i in ids])
    return ids


async def fill_records(
    session: AsyncSession, ctx: Context, pairs: list[tuple[int, RowDraft]]
) -> int:
    """Give existing records the values they lack; keep which, for undo."""
    if not pairs:
        return 0
    ids = sorted({record_id for record_id, _ in pairs})
    records = await row_locks.all_locked(session, Record, ids)  # their search lines grow
    have: dict[int | None, set[int]] = {}
    for record_id, field in await session.execute(
        select(FieldValue.record_id, FieldValue.field_id).where(FieldValue.record_id.in_(ids))
    ):
        have.setdefault(record_id, set()).add(field)
    values, events, items = [], [], []
    done: set[int] = set()
    for record_id, draft in pairs:
        if record_id in done:  # one record named twice in a chunk: its first row fills it
            continue
        done.add(record_id)
        record = records[record_id]
        new = {k: v for k, v in draft.values.items() if k not in have.get(record_id, set())}
        values.append((record_id, new))
        before: dict[str, Any] = {"values": sorted(new), "search": record.search_text}
        before["activity"] = record.last_activity_at.isoformat()
        words = " ".join(p.search for p in new.values() if p.search)
        record.search_text = " ".join(part for part in (record.search_text, fold(words)) if part)
        record.last_activity_at = ctx.now
        data = Imported(batch=ctx.batch_id, file=ctx.file_name)
        data["filled"] = ["values"] if new else []
        events.append(ctx.event(record_id, data))
        items.append(ctx.item(record_id, "updated", before))
    await session.flush()
    await insert_rows(session, FieldValue, value_rows(values, "record_id"))
    await insert_rows(session, Event, events)
    await insert_rows(session, ImportItem, items)
    return len(done)
