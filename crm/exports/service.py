"""Exports: clients (with the list's filters), deals and tasks, only what the member sees.

Rows are streamed from the database in pages and written as they come; every
export is logged (who, what, how many rows, the filters). Column titles are
given by the caller in the reader's language; ``custom_keys`` adds the team's
own fields (``Client.custom_fields``) as columns, the seam for issue 11.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.access import is_staff
from crm.client_queries import ClientFilter, ClientQueries
from crm.clock import Clock
from crm.errors import NotAllowed
from crm.exports.files import Column, Format, Kind, TableFile
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientTag,
    Deal,
    ExportLog,
    Stage,
    Task,
    User,
)

PAGE = 1000

CLIENT_COLUMNS = (
    Column("id", "ID", Kind.NUMBER, 8),
    Column("name", "Name", width=28),
    Column("phones", "Phones", width=22),
    Column("emails", "Emails", width=26),
    Column("company", "Company", width=24),
    Column("city", "City", width=16),
    Column("address", "Address", width=30),
    Column("status", "Status", width=12),
    Column("source", "Source", width=16),
    Column("tags", "Tags", width=20),
    Column("manager", "Responsible", width=20),
    Column("created_at", "Created", Kind.DATE, 12),
    Column("last_activity_at", "Last activity", Kind.DATETIME, 17),
)
DEAL_COLUMNS = (
    Column("id", "ID", Kind.NUMBER, 8),
    Column("title", "Deal", width=28),
    Column("client", "Client", width=28),
    Column("stage", "Stage", width=16),
    Column("amount", "Amount", Kind.MONEY, 14),
    Column("currency", "Currency", width=9),
    Column("manager", "Responsible", width=20),
    Column("created_at", "Created", Kind.DATE, 12),
    Column("expected_close", "Expected close", Kind.DATE, 14),
    Column("closed_at", "Closed", Kind.DATE, 12),
    Column("lost_reason", "Lost reason", width=20),
)
TASK_COLUMNS = (
    Column("id", "ID", Kind.NUMBER, 8),
    Column("title", "Task", width=36),
    Column("due_at", "Due", Kind.DATETIME, 17),
    Column("priority", "Priority", width=10),
    Column("assignee", "Assignee", width=20),
    Column("client", "Client", width=28),
    Column("deal", "Deal", width=28),
    Column("done_at", "Done", Kind.DATETIME, 17),
)


@dataclass(frozen=True)
class ExportFile:
    name: str
    data: bytes
    rows: int


def titled(columns: Sequence[Column], titles: Mapping[str, str]) -> list[Column]:
    return [Column(c.key, titles.get(c.key, c.title), c.kind, c.width) for c in columns]


class Exports:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        settings: TeamSettings,
        client_queries: ClientQueries,
    ) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings
        self._queries = client_queries

    async def clients(
        self,
        actor: User,
        filters: ClientFilter,
        fmt: Format,
        titles: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        custom_keys: Sequence[str] = (),
    ) -> ExportFile:
        """``labels`` names status codes for the reader; unknown codes are written as they are."""
        _require_member(actor)
        names = labels or {}
        extra = [Column(f"custom:{k}", k, width=16) for k in custom_keys]
        table = TableFile([*titled(CLIENT_COLUMNS, titles or {}), *extra], fmt, _zone(actor))
        members = await self._member_names()
        conditions = await self._queries._conditions(actor, filters)
        query = select(Client).where(*conditions).order_by(Client.id)
        async for page in self._pages(query):
            ids = [c.id for c in page]
            phones = await self._joined(ClientPhone.client_id, ClientPhone.e164, ids)
            emails = await self._joined(ClientEmail.client_id, ClientEmail.email, ids)
            tags = await self._joined(ClientTag.client_id, ClientTag.tag, ids)
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
                    *(_custom(c.custom_fields.get(k)) for k in custom_keys),
                ]
                for c in page
            )
        filters_used = {k: _plain(v) for k, v in asdict(filters).items() if v not in (None, False)}
        return await self._finish(actor, "clients", table, filters_used)

    async def deals(
        self,
        actor: User,
        fmt: Format,
        titles: Mapping[str, str] | None = None,
        stage_labels: Mapping[str, str] | None = None,
    ) -> ExportFile:
        """``stage_labels`` names built-in stages (by code) in the reader's language."""
        _require_member(actor)
        labels = stage_labels or {}
        table = TableFile(titled(DEAL_COLUMNS, titles or {}), fmt, _zone(actor))
        members = await self._member_names()
        see_all = await self._settings.managers_see_all()
        stages = {s.id: s for s in await self._session.scalars(select(Stage))}
        query = (
            select(Deal, Client.name)
            .join(Client, Client.id == Deal.client_id)
            .where(visibility.visible_clients(actor, see_all))
            .order_by(Deal.id)
        )
        async for page in self._pages(query, scalars=False):
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
                    ]
                )
            table.write(rows)
        return await self._finish(actor, "deals", table, {})

    async def tasks(
        self, actor: User, fmt: Format, titles: Mapping[str, str] | None = None
    ) -> ExportFile:
        """A manager's own tasks (assigned or set); everyone's for owners and admins."""
        _require_member(actor)
        table = TableFile(titled(TASK_COLUMNS, titles or {}), fmt, _zone(actor))
        members = await self._member_names()
        query = (
            select(Task, Client.name, Deal.title)
            .outerjoin(Client, Client.id == Task.client_id)
            .outerjoin(Deal, Deal.id == Task.deal_id)
            .order_by(Task.id)
        )
        if not is_staff(actor):
            query = query.where((Task.assignee_id == actor.id) | (Task.created_by == actor.id))
        async for page in self._pages(query, scalars=False):
            table.write(
                [
                    task.id,
                    task.title,
                    task.due_at,
                    task.priority,
                    members.get(task.assignee_id),
                    client_name,
                    deal_title,
                    task.done_at,
                ]
                for task, client_name, deal_title in page
            )
        return await self._finish(actor, "tasks", table, {})

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

    async def _pages(self, query: Any, scalars: bool = True) -> Any:
        """Pages of rows by keyset on the table's id, so a large export never holds it all."""
        last = 0
        entity = query.column_descriptions[0]["entity"]
        while True:
            page_query = query.where(entity.id > last).limit(PAGE)
            if scalars:
                page = list(await self._session.scalars(page_query))
                ids = [row.id for row in page]
            else:
                page = list((await self._session.execute(page_query)).all())
                ids = [row[0].id for row in page]
            if not page:
                return
            yield page
            last = ids[-1]

    async def _joined(self, key: Any, value: Any, ids: list[int]) -> dict[int, str]:
        found: dict[int, list[str]] = {}
        rows = await self._session.execute(select(key, value).where(key.in_(ids)).order_by(value))
        for client_id, item in rows:
            found.setdefault(client_id, []).append(str(item))
        return {client_id: ", ".join(items) for client_id, items in found.items()}

    async def _member_names(self) -> dict[int, str]:
        return {u.id: u.full_name or str(u.id) for u in await self._session.scalars(select(User))}

    async def log(self, since: datetime) -> list[ExportLog]:
        """Exports since a moment, for the owner's daily summary."""
        query = select(ExportLog).where(ExportLog.created_at >= since).order_by(ExportLog.id)
        return list(await self._session.scalars(query))


def _require_member(actor: User) -> None:
    if not actor.active:
        raise NotAllowed()


def _zone(actor: User) -> ZoneInfo:
    return ZoneInfo(actor.timezone)


def _custom(value: Any) -> Any:
    return value if isinstance(value, str | int | float) or value is None else str(value)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
