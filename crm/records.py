"""Records: the cards of the team's own types, with the same rules as clients.

A manager sees their own records and unassigned ones (all, when the owner lets
managers see all); owners and admins see every record. Creating one checks the
required fields in the same transaction, so a record is never half-written.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, link_writes, notices, visibility
from crm.automation import triggers
from crm.cards import CardKind, CardRef, Cards
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.event_data import FileAttached, ManagerChanged, NoData
from crm.events import EventKind
from crm.field_defs import FieldDefs
from crm.field_values import FieldValues
from crm.parsing.fields import Parsed
from crm.parsing.search_text import fold
from crm.record_types import RecordTypes
from crm.row_locks import cards_locked
from crm.take_back import meant_by, take_back
from crm.timeline import FileKind, clean_note
from storage.engine import write_transaction
from storage.models import Event, FieldDef, Record, Task, User

MAX_TITLE = 200


def clean_title(title: str) -> str:
    text = " ".join(title.split())
    if not any(char.isalnum() for char in text):
        raise InvalidInput(ErrorCode.EMPTY, field="title")
    if len(text) > MAX_TITLE:
        raise InvalidInput(ErrorCode.TOO_LONG, field="title", limit=MAX_TITLE)
    return text


class Records:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        cards: Cards,
        types: RecordTypes,
        fields: FieldDefs,
        values: FieldValues,
    ) -> None:
        self._session = session
        self._clock = clock
        self._cards = cards
        self._types = types
        self._fields = fields
        self._values = values

    async def visible(self, actor: User, record_id: int) -> Record:
        card = await self._cards.visible(actor, CardRef(CardKind.RECORD, record_id))
        assert isinstance(card, Record)
        return card

    async def _locked(self, actor: User, record_id: int) -> Record:
        """The record locked and read afresh (crm.row_locks), as a client's, for a change that
        depends on it: two members giving it, renaming or archiving it at once each wrote the
        change (its new responsible told twice); now the later finds it made."""
        await cards_locked(self._session, [CardRef(CardKind.RECORD, record_id)])
        return await self.visible(actor, record_id)

    async def parse_values(
        self, type_id: int, texts: Mapping[int, str]
    ) -> list[tuple[FieldDef, Parsed]]:
        """Check a new record's values before anything is written: each parses, required
        fields are there, and every field still belongs to the type."""
        fields = await self._fields.of(CardKind.RECORD, type_id)
        known = {f.id: f for f in fields}
        if any(field_id not in known for field_id in texts):
            raise Conflict(ErrorCode.FIELD_GONE)
        parsed = [
            (known[i], self._values.parse(known[i], t)) for i, t in texts.items() if t.strip()
        ]
        given = {field.id for field, _ in parsed}
        missing = [f.name for f in fields if f.required and f.id not in given]
        if missing:
            raise InvalidInput(ErrorCode.FIELD_REQUIRED, name=missing[0])
        return parsed

    async def create(
        self, actor: User, type_id: int, title: str, values: Mapping[int, str] | None = None
    ) -> Record:
        name = clean_title(title)
        async with write_transaction(self._session):
            record_type = await self._types.get(type_id)
            if record_type.archived_at is not None:
                raise Conflict(ErrorCode.RECORD_TYPE_ARCHIVED)
            parsed = await self.parse_values(type_id, values or {})
            now = self._clock.now()
            record = Record(
                type_id=type_id,
                title=name,
                title_folded=fold(name),
                search_text=fold(name),
                manager_id=actor.id,
                created_by=actor.id,
                created_at=now,
                last_activity_at=now,
            )
            self._session.add(record)
            await self._session.flush()
            ref = CardRef(CardKind.RECORD, record.id)
            created = events.record(
                self._session,
                self._clock,
                "record_created",
                actor.id,
                record_id=record.id,
                data={"title": name, "type_id": type_id, "type": record_type.singular},
            )
            for field, value in parsed:
                await self._values.apply(actor, ref, record, field, value)
            await triggers.on_event(self._session, self._clock, created)
            return record

    async def rename(self, actor: User, record_id: int, title: str) -> Record:
        name = clean_title(title)
        async with write_transaction(self._session):
            record = await self._locked(actor, record_id)
            if record.title != name:
                old, record.title, record.title_folded = record.title, name, fold(name)
                record.last_activity_at = self._clock.now()
                await self._values.refresh_search(CardRef(CardKind.RECORD, record.id), record)
                events.record(
                    self._session,
                    self._clock,
                    "record_changed",
                    actor.id,
                    record_id=record.id,
                    data={"field": "title", "old": old, "new": name},
                )
            return record

    async def set_manager(self, actor: User, record_id: int, manager_id: int | None) -> Record:
        if not visibility.can_reassign(actor):
            raise NotAllowed()
        async with write_transaction(self._session):
            record = await self._locked(actor, record_id)
            if manager_id is not None:
                manager = await self._session.get(User, manager_id)
                if manager is None or not manager.active:
                    raise InvalidInput(ErrorCode.NO_SUCH_MEMBER)
            if record.manager_id != manager_id:
                old, record.manager_id = record.manager_id, manager_id
                record.last_activity_at = self._clock.now()
                events.record(
                    self._session,
                    self._clock,
                    EventKind.MANAGER_CHANGED,
                    actor.id,
                    record_id=record.id,
                    data=ManagerChanged(old=old, new=manager_id),
                )
                await notices.record_assigned(self._session, self._clock, record, actor.id)
            return record

    async def set_archived(self, actor: User, record_id: int, archived: bool) -> Record:
        async with write_transaction(self._session):
            record = await self._locked(actor, record_id)
            if (record.archived_at is not None) != archived:
                record.archived_at = self._clock.now() if archived else None
                events.record(
                    self._session,
                    self._clock,
                    EventKind.ARCHIVED if archived else EventKind.UNARCHIVED,
                    actor.id,
                    record_id=record.id,
                )
            return record

    async def delete(self, actor: User, record_id: int) -> str:
        """Delete for good (owners only); its values and links go, the deletion is logged.

        Its links are removed first as unlinking by hand removes them: each linked card's
        history says so, and a deal whose amount follows its lines is summed again (the
        links went with the record, leaving a product's money in such a deal's amount)."""
        if not visibility.can_delete(actor):
            raise NotAllowed()
        async with write_transaction(self._session):
            record = await self.visible(actor, record_id)
            await link_writes.unlink_all(
                self._session, self._clock, actor, CardRef(CardKind.RECORD, record_id)
            )
            title = record.title
            await self._session.delete(record)
            await self._session.flush()
            events.record(
                self._session,
                self._clock,
                "record_deleted",
                actor.id,
                data={"record_id": record_id, "title": title, "type_id": record.type_id},
            )
            return title

    async def open_tasks(self, actor: User, record_id: int) -> int:
        """How many open tasks go with the record when it is deleted (for "delete?")."""
        record = await self.visible(actor, record_id)
        found = await self._session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.record_id == record.id, Task.done_at.is_(None))
        )
        return int(found or 0)

    async def comment(self, actor: User, record_id: int, text: str) -> Event:
        return await self._add(actor, record_id, EventKind.COMMENT, clean_note(text), NoData())

    async def attach(
        self,
        actor: User,
        record_id: int,
        kind: FileKind,
        file_id: str,
        file_name: str | None,
        caption: str | None,
    ) -> Event:
        """A file on the record's timeline (its card open); refused on an archived record."""
        data = FileAttached(file_kind=kind, file_id=file_id, file_name=file_name)
        note = clean_note(caption, False)
        return await self._add(actor, record_id, EventKind.FILE, note, data, current=True)

    async def undo(
        self, actor: User, event_id: int, record_id: int | None = None, check: str | None = None
    ) -> None:
        """Take back one's own file or comment on a record, made within the last hour: the
        event ``event_id``, if it is on ``record_id``'s timeline and its ``undo_check`` is
        ``check`` (each None on an older button: not checked)."""

        async def see(event: Event) -> None:
            if event.record_id is None:
                raise NotFound()
            await self.visible(actor, event.record_id)

        async with write_transaction(self._session):
            meant = meant_by(record_id, lambda event: event.record_id, check)
            await take_back(self._session, self._clock, actor, event_id, see, meant)

    async def file_event(self, actor: User, event_id: int) -> Event:
        event = await self._session.get(Event, event_id)
        if event is None or event.kind != "file" or event.record_id is None:
            raise NotFound()
        await self.visible(actor, event.record_id)
        return event

    async def _add(
        self,
        actor: User,
        record_id: int,
        kind: str,
        text: str | None,
        data: Mapping[str, object],
        current: bool = False,
    ) -> Event:
        """``current``: refused when the record is in the archive."""
        async with write_transaction(self._session):
            record = await self.visible(actor, record_id)
            if current and record.archived_at is not None:
                raise Conflict(ErrorCode.RECORD_ARCHIVED)
            record.last_activity_at = self._clock.now()
            event = events.record(
                self._session,
                self._clock,
                kind,
                actor.id,
                record_id=record.id,
                text=text,
                data=dict(data),
            )
            await self._session.flush()
            return event
