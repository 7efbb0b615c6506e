"""Exports: clients (with the list's filters), deals, tasks and records, only what the member sees.

Rows are streamed from the database in pages and written as they come; every
export is logged (who, what, how many rows, the filters). Column titles are
given by the caller in the reader's language; clients, deals and records carry
the team's custom fields as columns and their links as the linked cards' names
(``crm.exports.extras``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind
from crm.client_filter import ClientFilter
from crm.client_queries import ClientQueries
from crm.clock import Clock
from crm.config import as_written
from crm.deal_queries import DealFilter, DealQueries
from crm.errors import NotAllowed
from crm.exports.columns import (
    CLIENT_COLUMNS,
    DEAL_COLUMNS,
    RECORD_COLUMNS,
    TASK_COLUMNS,
    ExportFile,
    link_titles,
    titled,
)
from crm.exports.extras import CardExtras
from crm.exports.files import Format, TableFile
from crm.exports.paging import joined, member_names, pages
from crm.exports.task_rows import task_row, tasks_query
from crm.field_filters import FieldFilter
from crm.field_plain import NO, YES
from crm.record_queries import RecordFilter, RecordQueries
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientTag,
    Deal,
    ExportLog,
    Record,
    Stage,
    User,
)

Titles = Mapping[str, str] | None


class Exports:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        settings: TeamSettings,
        client_queries: ClientQueries,
        deal_queries: DealQueries,
        record_queries: RecordQueries,
        words: Callable[[str, str], str] = as_written,
    ) -> None:
        self._words = words  # the catalogs' texts in a language: a yes/no field's value
        self._session = session
        self._clock = clock
        self._settings = settings
        self._queries = client_queries
        self._deal_queries = deal_queries
        self._record_queries = record_queries

    async def clients(
        self,
        actor: User,
        filters: ClientFilter,
        fmt: Format,
        titles: Titles = None,
        labels: Mapping[str, str] | None = None,
    ) -> ExportFile:
        """``labels`` names status codes for the reader; unknown codes are written as they are."""
        _require_member(actor)
        names = labels or {}
        extras = await self._extras(actor, CardKind.CLIENT, titles)
        columns = [*titled(CLIENT_COLUMNS, titles or {}), *extras.columns()]
        table = TableFile(columns, fmt, _zone(actor), actor.language)
        members = await member_names(self._session)
        conditions = await self._queries._conditions(actor, filters)
        query = select(Client).where(*conditions).order_by(Client.id)
        async for page in pages(self._session, query):
            ids = [c.id for c in page]
            phones = await joined(
                self._session, ClientPhone.client_id, ClientPhone.e164, ids, ClientPhone.id
            )
            emails = await joined(
                self._session, ClientEmail.client_id, ClientEmail.email, ids, ClientEmail.id
            )
            tags = await joined(self._session, ClientTag.client_id, ClientTag.tag, ids)
            extra = await extras.cells(ids)
            table.write(
                [
                    c.id,
                    c.name,
                    phones.get(c.id),
                    emails.get(c.id),
                    c.company,
                    c.city,
                    c.address,
                    names.get(c.status, c.status),
                    c.source,
                    tags.get(c.id),
                    members.get(c.manager_id or 0),
                    c.created_at,
                    c.last_activity_at,
                    c.archived_at,
                    *extra[c.id],
                ]
                for c in page
            )
        used = {k: _plain(v) for k, v in asdict(filters).items() if v not in (None, False, ())}
        if filters.fields:
            used["fields"] = len(filters.fields)
        return await self._finish(actor, "clients", table, used)

    async def deals(
        self,
        actor: User,
        fmt: Format,
        titles: Titles = None,
        stage_labels: Mapping[str, str] | None = None,
        filters: DealFilter | None = None,
        month: tuple[datetime, datetime] | None = None,
    ) -> ExportFile:
        """``stage_labels`` names built-in stages (by code) in the reader's language;
        ``filters`` are the /deals overview's, ``month`` the reader's current month."""
        _require_member(actor)
        labels = stage_labels or {}
        chosen = filters or DealFilter()
        extras = await self._extras(actor, CardKind.DEAL, titles)
        columns = [*titled(DEAL_COLUMNS, titles or {}), *extras.columns()]
        table = TableFile(columns, fmt, _zone(actor), actor.language)
        members = await member_names(self._session)
        stages = {s.id: s for s in await self._session.scalars(select(Stage))}
        now = self._clock.now()
        start, end = month or (now, now)
        conditions = await self._deal_queries._conditions(actor, chosen, start, end)
        query = (
            select(Deal, Client.name)
            .join(Client, Client.id == Deal.client_id)
            .where(*conditions)
            .order_by(Deal.id)
        )
        async for page in pages(self._session, query, scalars=False):
            extra = await extras.cells([deal.id for deal, _name in page])
            rows = []
            for deal, client_name in page:
                stage = stages.get(deal.stage_id)
                stage_name = stage and (stage.name or labels.get(stage.code or "", stage.code))
                rows.append(
                    [
                        deal.id,
                        deal.title,
                        client_name,
                        stage_name,
                        deal.amount_minor,
                        deal.currency,
                        members.get(deal.manager_id or 0),
                        deal.created_at,
                        deal.expected_close,
                        deal.closed_at,
                        deal.lost_reason,
                        *extra[deal.id],
                    ]
                )
            table.write(rows)
        used = {k: v for k, v in asdict(chosen).items() if v}
        return await self._finish(actor, "deals", table, used)

    async def tasks(
        self,
        actor: User,
        fmt: Format,
        titles: Titles = None,
        who: int = 0,
        priorities: Mapping[str, str] | None = None,
    ) -> ExportFile:
        """A manager's own tasks (assigned or set); everyone's for owners and admins,
        or one member's (``who``). ``priorities`` names the priorities for the reader; a
        task's client, deal or record the reader cannot see is left out (``task_rows``)."""
        _require_member(actor)
        priority_names = priorities or {}
        table = TableFile(titled(TASK_COLUMNS, titles or {}), fmt, _zone(actor), actor.language)
        members = await member_names(self._session)
        see_all = await self._settings.managers_see_all()
        async for page in pages(self._session, tasks_query(actor, who), scalars=False):
            table.write(task_row(actor, see_all, members, priority_names, row) for row in page)
        return await self._finish(actor, "tasks", table, {"who": who} if who else {})

    async def records(
        self,
        actor: User,
        type_id: int,
        fmt: Format,
        titles: Titles = None,
        archived: bool = False,
        fields: tuple[FieldFilter, ...] = (),
    ) -> ExportFile:
        """The records of one type the member sees (current ones, or the archive),
        those that match the list's field filters ``fields``."""
        _require_member(actor)
        record_type = await self._record_queries._types.get(type_id)
        extras = await self._extras(actor, CardKind.RECORD, titles, type_id)
        columns = [*titled(RECORD_COLUMNS, titles or {}), *extras.columns()]
        table = TableFile(columns, fmt, _zone(actor), actor.language)
        members = await member_names(self._session)
        filters = RecordFilter(archived=archived, fields=fields)
        conditions = await self._record_queries._conditions(actor, type_id, filters)
        query = select(Record).where(*conditions).order_by(Record.id)
        async for page in pages(self._session, query):
            extra = await extras.cells([r.id for r in page])
            table.write(
                [
                    r.id,
                    r.title,
                    members.get(r.manager_id or 0),
                    r.created_at,
                    r.last_activity_at,
                    *extra[r.id],
                ]
                for r in page
            )
        used: dict[str, Any] = {"type": type_id, "type_name": record_type.plural}
        if archived:
            used["archived"] = True
        return await self._finish(actor, "records", table, used)

    async def _extras(
        self, actor: User, kind: CardKind, titles: Titles, type_id: int | None = None
    ) -> CardExtras:
        see_all = await self._settings.managers_see_all()
        groups = link_titles(titles or {})
        yes_no = (self._words(YES, actor.language), self._words(NO, actor.language))
        return await CardExtras.load(self._session, actor, see_all, kind, groups, type_id, yes_no)

    async def _finish(
        self, actor: User, what: str, table: TableFile, filters: dict[str, Any]
    ) -> ExportFile:
        data = table.finish()
        async with write_transaction(self._session):
            self._session.add(
                ExportLog(
                    actor_id=actor.id,
                    created_at=self._clock.now(),
                    what=what,
                    file_format=table.format.value,
                    rows=table.rows,
                    filters=filters,
                )
            )
        stamp = self._clock.now().astimezone(_zone(actor)).strftime("%Y-%m-%d")
        return ExportFile(f"{what}-{stamp}.{table.format.value}", data, table.rows)


def _require_member(actor: User) -> None:
    if not actor.active:
        raise NotAllowed()


def _zone(actor: User) -> ZoneInfo:
    return ZoneInfo(actor.timezone)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
