"""Reading clients: the card, the filtered list, and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.client_index import query_terms
from crm.clients import Clients, Contacts
from crm.clock import Clock
from crm.team_settings import TeamSettings
from storage import search_index
from storage.models import Client, ClientTag, Deal, Event, Stage, Task, User

CARD_EVENTS = 10


@dataclass(frozen=True)
class ClientFilter:
    status: str | None = None
    tag: str | None = None
    manager_id: int | None = None
    unassigned: bool = False
    city: str | None = None
    has_open_deals: bool = False
    has_overdue_tasks: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None  # exclusive
    archived: bool = False


@dataclass
class DealLine:
    deal: Deal
    stage_name: str
    stage_kind: str


@dataclass
class ClientCard:
    client: Client
    contacts: Contacts
    manager: User | None
    creator: User | None
    events: list[Event]
    events_total: int
    actors: dict[int, User] = field(default_factory=dict)
    deals: list[DealLine] = field(default_factory=list)
    open_tasks: list[Task] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    clients: list[Client]
    total: int
    page: int
    pages: int


class ClientQueries:
    def __init__(
        self, session: AsyncSession, clock: Clock, settings: TeamSettings, clients: Clients
    ) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings
        self._clients = clients

    async def card(
        self, actor: User, client_id: int, page: int = 0, per_page: int = CARD_EVENTS
    ) -> ClientCard:
        client = await self._clients.visible(actor, client_id)
        contacts = await self._clients.contacts(client.id)
        total = await self._session.scalar(
            select(func.count()).select_from(Event).where(Event.client_id == client.id)
        )
        events = list(
            await self._session.scalars(
                select(Event)
                .where(Event.client_id == client.id)
                .order_by(Event.id.desc())
                .offset(max(page, 0) * per_page)
                .limit(per_page)
            )
        )
        people_ids = {e.actor_id for e in events if e.actor_id} | {
            i for i in (client.manager_id, client.created_by) if i
        }
        people = {
            user.id: user
            for user in await self._session.scalars(select(User).where(User.id.in_(people_ids)))
        }
        deals = [
            DealLine(deal, name, kind)
            for deal, name, kind in (
                await self._session.execute(
                    select(Deal, Stage.name, Stage.kind)
                    .join(Stage, Stage.id == Deal.stage_id)
                    .where(Deal.client_id == client.id)
                    .order_by(Deal.closed_at.is_not(None), Deal.last_activity_at.desc())
                )
            ).all()
        ]
        tasks = list(
            await self._session.scalars(
                select(Task)
                .where(Task.client_id == client.id, Task.done_at.is_(None))
                .order_by(Task.due_at)
            )
        )
        return ClientCard(
            client=client,
            contacts=contacts,
            manager=people.get(client.manager_id or 0),
            creator=people.get(client.created_by or 0),
            events=events,
            events_total=int(total or 0),
            actors=people,
            deals=deals,
            open_tasks=tasks,
        )

    async def page(self, actor: User, filters: ClientFilter, page: int, per_page: int = 8) -> Page:
        query = select(Client).where(*await self._conditions(actor, filters))
        total = int(await self._session.scalar(_count(query)) or 0)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 0), pages - 1)
        rows = await self._session.scalars(
            query.order_by(Client.last_activity_at.desc(), Client.id.desc())
            .offset(page * per_page)
            .limit(per_page)
        )
        return Page(list(rows), total, page, pages)

    async def search(self, actor: User, text: str, limit: int = 10) -> list[Client]:
        """Best matches first: name starting with the query, then containing it, then the rest."""
        terms = query_terms(text)
        if not terms:
            return []
        dialect = self._session.bind.dialect.name if self._session.bind else "sqlite"
        conditions = await self._conditions(actor, ClientFilter())
        if len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit():
            conditions.append(search_index.name_prefix(terms[0]))
        else:
            conditions.append(search_index.contains_all(dialect, terms))
        rows = await self._session.scalars(
            select(Client)
            .where(*conditions)
            .order_by(
                search_index.name_rank(terms[0]),
                Client.last_activity_at.desc(),
                Client.id.desc(),
            )
            .limit(limit)
        )
        return list(rows)

    async def cities(self, actor: User, limit: int = 12) -> list[str]:
        """The most common cities among the clients ``actor`` sees, for filter buttons."""
        base = await self._conditions(actor, ClientFilter())
        rows = await self._session.execute(
            select(Client.city, func.count())
            .where(*base, Client.city.is_not(None))
            .group_by(Client.city)
            .order_by(func.count().desc(), Client.city)
            .limit(limit)
        )
        return [str(city) for city, _count in rows.all()]

    async def tags(self, actor: User, limit: int = 12) -> list[str]:
        base = await self._conditions(actor, ClientFilter())
        rows = await self._session.execute(
            select(ClientTag.tag, func.count())
            .join(Client, Client.id == ClientTag.client_id)
            .where(*base)
            .group_by(ClientTag.tag)
            .order_by(func.count().desc(), ClientTag.tag)
            .limit(limit)
        )
        return [str(tag) for tag, _count in rows.all()]

    async def _conditions(self, actor: User, filters: ClientFilter) -> list[ColumnElement[bool]]:
        see_all = await self._settings.managers_see_all()
        conditions: list[ColumnElement[bool]] = [visibility.visible_clients(actor, see_all)]
        conditions.append(
            Client.archived_at.is_not(None) if filters.archived else Client.archived_at.is_(None)
        )
        if filters.status:
            conditions.append(Client.status == filters.status)
        if filters.tag:
            conditions.append(
                exists().where(ClientTag.client_id == Client.id, ClientTag.tag == filters.tag)
            )
        if filters.unassigned:
            conditions.append(Client.manager_id.is_(None))
        elif filters.manager_id is not None:
            conditions.append(Client.manager_id == filters.manager_id)
        if filters.city:
            conditions.append(Client.city == filters.city)
        if filters.has_open_deals:
            conditions.append(
                exists()
                .where(Deal.client_id == Client.id, Deal.closed_at.is_(None))
                .where(Deal.stage_id == Stage.id, Stage.kind == "open")
            )
        if filters.has_overdue_tasks:
            conditions.append(
                exists().where(
                    Task.client_id == Client.id,
                    Task.done_at.is_(None),
                    Task.due_at < self._clock.now(),
                )
            )
        if filters.created_from is not None:
            conditions.append(Client.created_at >= filters.created_from)
        if filters.created_to is not None:
            conditions.append(Client.created_at < filters.created_to)
        return conditions


def _count(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.subquery())
