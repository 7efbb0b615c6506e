"""Undoing an import: remove what it created, give back what it filled in.

It refuses, naming the cards (those the member sees: crm.imports.undo_refusal), when
anyone has changed an imported card since (any event on it newer than the batch's last
one), because undoing would then throw away someone's work. A field the import defined
goes too when the undo leaves it holding no value (a field a member or another import
filled since stays).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from crm import events, visibility
from crm.access import is_staff
from crm.cards import CardKind, CardRef, visible_records
from crm.clock import Clock
from crm.defs_cache import DefsCache
from crm.errors import Conflict, ErrorCode, NotAllowed, NotFound
from crm.event_data import ImportUndone
from crm.field_values import client_search_text, refresh_search, search_words
from crm.field_withdrawal import delete_unheld, held_back
from crm.imports.batch_row import sweep
from crm.imports.link_events import undone_links, unlink
from crm.imports.undo_refusal import refuse_changed
from crm.row_locks import all_locked
from crm.team_settings import TeamSettings
from crm.unseen_links import LINK_KINDS
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientTag,
    Deal,
    Event,
    FieldValue,
    ImportBatch,
    ImportItem,
    Record,
    User,
)

CHUNK = 500


@dataclass(frozen=True)
class Undone:
    batch_id: int
    removed: int
    restored: int
    deals: int
    links: int = 0
    fields: tuple[str, ...] = ()  # the fields it defined, taken back
    kept: tuple[str, ...] = ()  # those it defined that cards still hold values of


class ImportUndo:
    def __init__(
        self, session: AsyncSession, clock: Clock, defs: DefsCache, settings: TeamSettings
    ) -> None:
        self._session = session
        self._clock = clock
        self._defs = defs
        self._settings = settings

    async def undo(self, actor: User, batch_id: int) -> Undone:
        await sweep(self._session, self._clock.now())  # one whose bot stopped is undone too
        async with self._defs.changing(self._session):  # it may take back fields
            batch = await self._session.get(ImportBatch, batch_id)
            if batch is None:
                raise NotFound()
            if not actor.active or (batch.created_by != actor.id and not is_staff(actor)):
                raise NotAllowed()
            if batch.undone_at is not None:
                raise Conflict(ErrorCode.IMPORT_ALREADY_UNDONE)
            if batch.finished_at is None:
                raise Conflict(ErrorCode.IMPORT_RUNNING)
            items = list(
                await self._session.execute(
                    select(
                        ImportItem.entity,
                        ImportItem.action,
                        ImportItem.record_id,
                        ImportItem.before,
                    )
                    .where(ImportItem.batch_id == batch.id)
                    .order_by(ImportItem.id)
                )
            )
            clients = [r for e, a, r, _b in items if e == "client" and a == "created"]
            updated = _befores(items, "client")
            deals = [r for e, a, r, _b in items if e == "deal"]
            records = [r for e, a, r, _b in items if e == "record" and a == "created"]
            filled = _befores(items, "record")
            fields = await held_back(self._session, [r for e, _a, r, _b in items if e == "field"])
            await all_locked(self._session, Client, [*clients, *updated])  # no edit since the check
            see_all = visibility.sees_all_clients(actor, await self._settings.managers_see_all())
            clients_seen = None if see_all else visibility.visible_clients(actor, see_all)
            await self._refuse_if_changed(batch, [*clients, *updated], deals, clients_seen)
            records_seen = None if see_all else visible_records(actor, see_all)
            await self._refuse_if_records_changed(batch, [*records, *filled], records_seen)
            made = [(r, b) for e, _a, r, b in items if e == "link"]
            gone = {CardRef(CardKind.CLIENT, i) for i in clients}
            gone |= {CardRef(CardKind.DEAL, i) for i in deals}
            gone |= {CardRef(CardKind.RECORD, i) for i in records}
            unlinked = await unlink(self._session, actor.id, self._clock.now(), made, gone)
            for part in _chunks(records):
                await self._session.execute(delete(Event).where(Event.record_id.in_(part)))
                await self._session.execute(delete(Record).where(Record.id.in_(part)))
            for record_id, befores in filled.items():
                await self._restore_record(actor, batch, record_id, _before_all(befores))
            for part in _chunks(deals):
                await self._session.execute(delete(Event).where(Event.deal_id.in_(part)))
                await self._session.execute(delete(Deal).where(Deal.id.in_(part)))
            for part in _chunks(clients):
                await self._session.execute(delete(Event).where(Event.client_id.in_(part)))
                await self._session.execute(delete(Client).where(Client.id.in_(part)))
            for client_id, befores in updated.items():
                await self._restore(actor, batch, client_id, _before_all(befores))
            withdrawn = await delete_unheld(self._session, list(fields))  # values went above
            batch.undone_at = self._clock.now()
            batch.undone_by = actor.id
        removed, restored = len(clients) + len(records), len(updated) + len(filled)
        taken = tuple(name for i, name in fields.items() if i in withdrawn)
        kept = tuple(name for i, name in fields.items() if i not in withdrawn)
        return Undone(batch.id, removed, restored, len(deals), unlinked, taken, kept)

    async def _refuse_if_records_changed(
        self, batch: ImportBatch, ids: list[int], seen: ColumnElement[bool] | None
    ) -> None:
        changed = await self._with_events_since(batch, Event.record_id, ids)
        await refuse_changed(self._session, changed, Record.id, Record.title, seen)

    async def _with_events_since(
        self, batch: ImportBatch, card: InstrumentedAttribute[int | None], ids: list[int]
    ) -> set[int]:
        """Those of ``ids`` with an event on ``card``'s timeline since the batch ended."""
        after = batch.last_event_id or 0
        changed: set[int] = set()
        for part in _chunks(ids):
            rows = await self._session.execute(
                select(card, Event.kind, Event.data).where(Event.id > after, card.in_(part))
            )
            changed |= await self._changed(rows.all())
        return changed

    async def _changed(self, rows: Sequence[Any]) -> set[int]:
        """The cards of (card, event kind, data) rows, but for the lines of a link another
        import made and its undo removed: they leave the card as it was."""
        changed: set[int] = set()
        links: dict[int, set[int]] = {}
        for card_id, kind, data in rows:
            link_id = data.get("link_id") if isinstance(data, dict) else None
            if kind in LINK_KINDS and isinstance(link_id, int):
                links.setdefault(card_id, set()).add(link_id)
            elif card_id is not None:
                changed.add(card_id)
        undone = await undone_links(self._session, set().union(*links.values()))
        return changed | {card_id for card_id, ids in links.items() if ids - undone}

    async def _restore_record(
        self, actor: User, batch: ImportBatch, record_id: int, before: dict[str, Any]
    ) -> None:
        record = await self._session.get(Record, record_id)
        if record is None:
            return
        if before.get("values"):
            await self._session.execute(
                delete(FieldValue).where(
                    FieldValue.record_id == record_id, FieldValue.field_id.in_(before["values"])
                )
            )
        # From the values it has now: the line kept before the import may hold a field
        # deleted since.
        await refresh_search(self._session, CardRef(CardKind.RECORD, record_id), record)
        if "activity" in before:
            record.last_activity_at = datetime.fromisoformat(before["activity"])
        events.record(
            self._session,
            self._clock,
            events.EventKind.IMPORT_UNDONE,
            actor.id,
            record_id=record_id,
            data=ImportUndone(batch=batch.id, file=batch.file_name, fields=[]),
        )

    async def _refuse_if_changed(
        self,
        batch: ImportBatch,
        client_ids: list[int],
        deal_ids: list[int],
        seen: ColumnElement[bool] | None,
    ) -> None:
        after = batch.last_event_id or 0
        changed = await self._with_events_since(batch, Event.client_id, client_ids)
        for part in _chunks(deal_ids):
            rows = await self._session.execute(
                select(Deal.client_id, Event.kind, Event.data)
                .join(Event, Event.deal_id == Deal.id)
                .where(Event.id > after, Deal.id.in_(part))
            )
            changed |= await self._changed(rows.all())
        await refuse_changed(self._session, changed, Client.id, Client.name, seen)

    async def _restore(
        self, actor: User, batch: ImportBatch, client_id: int, before: dict[str, Any]
    ) -> None:
        client = await self._session.get(Client, client_id)
        if client is None:
            return
        for key, value in before.get("fields", {}).items():
            setattr(client, key, value)
        if before.get("phones"):
            await self._session.execute(
                delete(ClientPhone).where(
                    ClientPhone.client_id == client_id, ClientPhone.e164.in_(before["phones"])
                )
            )
        if before.get("emails"):
            await self._session.execute(
                delete(ClientEmail).where(
                    ClientEmail.client_id == client_id, ClientEmail.email.in_(before["emails"])
                )
            )
        if before.get("tags"):
            await self._session.execute(
                delete(ClientTag).where(
                    ClientTag.client_id == client_id, ClientTag.tag.in_(before["tags"])
                )
            )
        if before.get("values"):  # the custom fields the import filled in
            await self._session.execute(
                delete(FieldValue).where(
                    FieldValue.client_id == client_id, FieldValue.field_id.in_(before["values"])
                )
            )
        if before.get("values"):
            client.fields_search = await search_words(
                self._session, CardRef(CardKind.CLIENT, client_id)
            )
        client.search_text = await client_search_text(self._session, client)
        if "activity" in before:
            client.last_activity_at = datetime.fromisoformat(before["activity"])
        events.record(
            self._session,
            self._clock,
            events.EventKind.IMPORT_UNDONE,
            actor.id,
            client_id=client_id,
            data=ImportUndone(
                batch=batch.id, file=batch.file_name, fields=sorted(before.get("fields", {}))
            ),
        )


def _befores(items: Sequence[Any], entity: str) -> dict[int, list[dict[str, Any]]]:
    """Each known card of ``entity`` the import filled in: what each chunk that filled it
    kept of it before, in the order written (``_before_all`` makes them one)."""
    found: dict[int, list[dict[str, Any]]] = {}
    for e, a, r, b in items:
        if e == entity and a == "updated":
            found.setdefault(r, []).append(b)
    return found


def _before_all(befores: list[dict[str, Any]]) -> dict[str, Any]:
    """A client or record several chunks filled in, as it was before the first of them.

    Each chunk kept only what it changed itself (the second found the first's city,
    search text and activity), so every chunk's additions go, and the earliest value of
    a field wins.
    """
    whole: dict[str, Any] = {"fields": {}}
    for before in befores:
        for key, value in before.get("fields", {}).items():
            whole["fields"].setdefault(key, value)
        for key in ("phones", "emails", "tags", "values"):
            if before.get(key):
                whole[key] = [*whole.get(key, []), *before[key]]
        for key in ("search", "activity"):
            if key in before:
                whole.setdefault(key, before[key])
    return whole


def _chunks(values: list[int]) -> list[list[int]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
