"""Storing one chunk of an import with bulk statements (never an ORM flush per row).

Created clients go in with one multi-row INSERT … RETURNING, then their phones,
e-mails, tags, one ``imported`` event each (and a ``comment`` for a note), and
the batch's items. The search index follows by itself (triggers on SQLite, the
trigram index on PostgreSQL) because ``search_text`` is written with the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import client_tags, row_locks
from crm.client_index import search_text, with_fields
from crm.event_data import Imported, NoData
from crm.events import EventKind
from crm.imports.fields import field_rows, field_words, value_rows
from crm.imports.lookup import status_code
from crm.imports.plan import merge_into
from crm.imports.required import Required
from crm.imports.rows import RowDraft
from crm.parsing.search_text import fold
from storage.ids import reserve_ids
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientTag,
    Deal,
    Event,
    FieldValue,
    ImportItem,
    Stage,
)

FILLABLE = ("company", "city", "address", "source")


@dataclass
class Context:
    """What every chunk of one import shares."""

    batch_id: int
    file_name: str
    actor_id: int
    may_assign: bool  # owners and admins may give cards to others by the "responsible" column
    now: datetime
    currency: str
    pipeline_id: int
    first_stage: Stage
    stages: dict[str, Stage]
    members: dict[str, int]
    statuses: dict[str, str]
    required: Required = field(default_factory=lambda: Required({}, {}))
    zone: tzinfo = UTC  # the member's: a moment a cell gives is on their clock (as exported)

    def manager_for(self, draft: RowDraft) -> int:
        if self.may_assign and draft.manager:
            return self.members.get(fold(draft.manager), self.actor_id)
        return self.actor_id

    def event(self, kind: str, **values: Any) -> dict[str, Any]:
        row = {"occurred_at": self.now, "actor_id": self.actor_id, "kind": kind}
        row.update({"client_id": None, "deal_id": None, "task_id": None, "text": None})
        row.update({"data": Imported(batch=self.batch_id, file=self.file_name)})
        row.update(values)
        return row


async def create_clients(session: AsyncSession, ctx: Context, drafts: list[RowDraft]) -> list[int]:
    if not drafts:
        return []
    rows = [
        {
            "name": d.name,
            "name_folded": fold(d.name),
            "search_text": with_fields(
                search_text(d.name, d.company, d.city, d.emails, d.tags, d.phones), field_words(d)
            ),
            "fields_search": field_words(d),
            "company": d.company,
            "city": d.city,
            "address": d.address,
            "status": status_code(d.status, ctx.statuses),
            "source": d.source,
            "manager_id": ctx.manager_for(d),
            "custom_fields": dict(d.custom),
            "created_by": ctx.actor_id,
            "created_at": _on_clock(d.came_at, ctx.zone) or ctx.now,
            "last_activity_at": ctx.now,
            "archived_at": (_on_clock(d.archived_at, ctx.zone) or ctx.now) if d.archived else None,
        }
        for d in drafts
    ]
    ids = await reserve_ids(session, Client, len(rows))
    for client_id, row in zip(ids, rows, strict=True):
        row["id"] = client_id
    await insert_rows(session, Client, rows)
    await insert_rows(session, FieldValue, field_rows(list(zip(ids, drafts, strict=True))))
    await add_contacts(session, ctx, list(zip(ids, drafts, strict=True)), {})
    await insert_rows(session, ImportItem, [_item(ctx, "client", i, "created") for i in ids])
    return ids


async def add_contacts(
    session: AsyncSession,
    ctx: Context,
    pairs: list[tuple[int, RowDraft]],
    filled: dict[int, list[str]],
) -> set[tuple[int, str]]:
    """Phones, e-mails, tags, the ``imported`` event and note comments of each card; the
    (card, tag) pairs put on (not those another writer put on meanwhile)."""
    phones, emails, tags, events = [], [], [], []
    for client_id, draft in pairs:
        phones += [
            {"client_id": client_id, "e164": p, "digits": p.lstrip("+")} for p in draft.phones
        ]
        emails += [{"client_id": client_id, "email": e} for e in draft.emails]
        tags += [{"client_id": client_id, "tag": t} for t in draft.tags]
        data = Imported(batch=ctx.batch_id, file=ctx.file_name)
        if client_id in filled:
            data["filled"] = sorted(filled[client_id])
        elif missing := ctx.required.client_missing(draft):
            data["missing"] = missing
        events.append(ctx.event(EventKind.IMPORTED, client_id=client_id, data=data))
        events += [
            ctx.event(EventKind.COMMENT, client_id=client_id, text=note, data=NoData())
            for note in draft.notes
        ]
    await insert_rows(session, ClientPhone, phones)
    await insert_rows(session, ClientEmail, emails)
    put = await client_tags.put_rows(session, tags)  # or nothing: another may be putting it on
    await insert_rows(session, Event, events)
    return put


async def fill_clients(
    session: AsyncSession, ctx: Context, pairs: list[tuple[int, RowDraft]]
) -> int:
    """Fill existing cards' empty fields, add new phones, e-mails and tags; keep ``before``."""
    merged: dict[int, RowDraft] = {}
    for client_id, draft in pairs:
        if client_id in merged:
            merge_into(merged[client_id], draft)
        else:
            merged[client_id] = draft
    ids = list(merged)
    clients = await row_locks.all_locked(session, Client, ids)  # their search lines are rebuilt
    have_phones = await _have(session, ClientPhone.client_id, ClientPhone.e164, ids)
    have_emails = await _have(session, ClientEmail.client_id, ClientEmail.email, ids)
    have_tags = await _have(session, ClientTag.client_id, ClientTag.tag, ids)
    have_values: dict[int, list[Any]] = await _have(
        session, FieldValue.client_id, FieldValue.field_id, ids
    )
    items, added, filled, values = [], [], {}, []
    for client_id, draft in merged.items():
        client = clients[client_id]
        before: dict[str, Any] = {"fields": {}}
        for key in FILLABLE:
            if getattr(client, key) is None and getattr(draft, key) is not None:
                before["fields"][key] = None
                setattr(client, key, getattr(draft, key))
        new = RowDraft(number=draft.number, name=draft.name, notes=draft.notes)
        new.phones = [p for p in draft.phones if p not in have_phones.get(client_id, [])]
        new.emails = [e for e in draft.emails if e not in have_emails.get(client_id, [])]
        new.tags = [t for t in draft.tags if t not in have_tags.get(client_id, [])]
        new.values = {
            key: parsed
            for key, parsed in draft.values.items()
            if key not in have_values.get(client_id, [])
        }
        values += field_rows([(client_id, new)])
        before.update(phones=new.phones, emails=new.emails, tags=new.tags)
        if new.values:
            before["values"] = sorted(new.values)
        before["activity"] = client.last_activity_at.isoformat()
        client.fields_search = with_fields(client.fields_search or "", field_words(new))
        emails = have_emails.get(client_id, []) + new.emails
        tags = have_tags.get(client_id, []) + new.tags
        phones = have_phones.get(client_id, []) + new.phones
        line = search_text(client.name, client.company, client.city, emails, tags, phones)
        client.search_text = with_fields(line, client.fields_search)
        client.last_activity_at = ctx.now
        filled[client_id] = [
            *before["fields"],
            *(k for k in ("phones", "emails", "tags") if before[k]),
            *(["values"] if new.values else []),
        ]
        added.append((client_id, new))
        items.append(_item(ctx, "client", client_id, "updated", before))
    await session.flush()
    await insert_rows(session, FieldValue, values)
    put = await add_contacts(session, ctx, added, filled)
    for item in items:  # undo takes off only the tags this import put on
        item["before"]["tags"] = [
            t for t in item["before"]["tags"] if (item["record_id"], t) in put
        ]
    await insert_rows(session, ImportItem, items)
    return len(merged)


async def create_deals(
    session: AsyncSession, ctx: Context, pairs: list[tuple[int, RowDraft, int]]
) -> list[int]:
    """Deals of rows with deal columns: (client id, draft, client's manager id)."""
    if not pairs:
        return []
    rows = []
    for client_id, draft, manager_id in pairs:
        stage = ctx.stages[fold(draft.deal_stage)] if draft.deal_stage else ctx.first_stage
        rows.append(
            {
                "client_id": client_id,
                "pipeline_id": ctx.pipeline_id,
                "stage_id": stage.id,
                "title": draft.deal_title or draft.name[:200],
                "title_folded": fold(draft.deal_title or draft.name[:200]),
                "amount_minor": draft.deal_amount or 0,
                "currency": ctx.currency,
                "manager_id": manager_id,
                "lost_reason": None,
                "expected_close": None,
                "created_by": ctx.actor_id,
                "created_at": _on_clock(draft.came_at, ctx.zone) or ctx.now,
                "stage_changed_at": ctx.now,
                "last_activity_at": ctx.now,
                "closed_at": ctx.now if stage.kind != "open" else None,
            }
        )
    ids = await reserve_ids(session, Deal, len(rows))
    for deal_id, row in zip(ids, rows, strict=True):
        row["id"] = deal_id
    await insert_rows(session, Deal, rows)
    values = [
        (deal_id, draft.deal_values) for deal_id, (_c, draft, _m) in zip(ids, pairs, strict=True)
    ]
    await insert_rows(session, FieldValue, value_rows(values, "deal_id"))
    events = []
    for deal_id, row, (_c, draft, _m) in zip(ids, rows, pairs, strict=True):
        data = Imported(batch=ctx.batch_id, file=ctx.file_name)
        if missing := ctx.required.deal_missing(draft):
            data["missing"] = missing
        events.append(
            ctx.event(EventKind.IMPORTED, client_id=row["client_id"], deal_id=deal_id, data=data)
        )
    await insert_rows(session, Event, events)
    keys = [{"as_imported": [r["title_folded"], r["amount_minor"]]} for r in rows]  # same_deals
    made = [_item(ctx, "deal", i, "created", key) for i, key in zip(ids, keys, strict=True)]
    await insert_rows(session, ImportItem, made)
    return ids


def _on_clock(moment: datetime | None, zone: tzinfo) -> datetime | None:
    """A cell's moment (read as UTC, for cells carry no zone) as the member's wall time:
    what /export wrote in their zone comes back as the moment it was."""
    return moment and moment.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC)


def _item(
    ctx: Context, entity: str, record_id: int, action: str, before: dict[str, Any] | None = None
) -> dict[str, Any]:
    row = {"batch_id": ctx.batch_id, "entity": entity, "record_id": record_id}
    return {**row, "action": action, "before": before or {}}


async def insert_rows(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """One executemany on the table (Core: the ORM's bulk path splits batches by NULLs)."""
    if rows:
        await session.execute(insert(model.__table__), rows)


async def _have(
    session: AsyncSession, key: Any, value: Any, ids: list[int]
) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for client_id, item in await session.execute(select(key, value).where(key.in_(ids))):
        found.setdefault(client_id, []).append(item)
    return found
