"""Reading clients: the card, the filtered list (its filter: crm.client_filter), and search."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from crm import client_card_sql as sql
from crm.access import is_staff
from crm.cards import CardKind
from crm.client_filter import ClientFilter, client_conditions
from crm.client_index import bare_word, searched_terms
from crm.clients import Clients, Contacts
from crm.clock import Clock
from crm.event_data import people_in
from crm.field_filters import matching_all
from crm.shown_events import ShownEvents, shown_events
from crm.team_settings import TeamSettings
from crm.unseen_links import mask_unseen_links
from storage import client_search
from storage.models import (
    Client,
    ClientTag,
    Deal,
    Event,
    Task,
    User,
)

CARD_EVENTS = 10
CARD_TASKS = 5  # open tasks the card lists (soonest, a manager's own first); and how many more


@dataclass
class DealLine:
    deal: Deal
    stage_name: str | None  # None: a built-in stage, named by its code in the reader's language
    stage_code: str | None
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
    open_tasks: list[Task] = field(default_factory=list)  # the first ``CARD_TASKS``
    open_tasks_total: int = 0
    first: int = 0  # the first event of the history read (0: the newest)


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
        self, actor: User, client_id: int, first: int = 0, per_page: int = CARD_EVENTS
    ) -> ClientCard:
        """``first``: the first event of the history read (0: the newest), then ``per_page``."""
        client = await self._clients.visible(actor, client_id)
        contacts = await self._card_contacts(client.id)
        params = {"client": client.id}
        first = max(first, 0)
        page_params = {**params, "offset": first, "limit": per_page}
        rows = (await self._session.execute(sql.EVENTS_PAGE, page_params)).all()
        if not rows and first:  # an old screen's, the history shorter since: its last page
            count = int(await self._session.scalar(sql.EVENTS_COUNT, params) or 0)
            first = max(0, (count - 1) // per_page * per_page)
            page_params["offset"] = first
            rows = (await self._session.execute(sql.EVENTS_PAGE, page_params)).all()
        events = [event for event, _user, _total in rows]
        await mask_unseen_links(self._session, self._settings, actor, events)
        total = rows[0][2] if rows else await self._session.scalar(sql.EVENTS_COUNT, params)
        people = {user.id: user for _event, user, _total in rows if user is not None}
        people_ids = people_in(events) | {i for i in (client.manager_id, client.created_by) if i}
        if missing := people_ids - people.keys():  # the manager and creator mostly wrote some
            people.update(
                (user.id, user)
                for user in await self._session.scalars(select(User).where(User.id.in_(missing)))
            )
        deals = [
            DealLine(deal, name, code, kind)
            for deal, name, code, kind in (await self._session.execute(sql.DEALS, params)).all()
        ]
        reader = None if is_staff(actor) else actor.id  # a manager's own tasks first
        tasks_params = {**params, "tasks": CARD_TASKS, "reader": reader}
        tasks = (await self._session.execute(sql.OPEN_TASKS, tasks_params)).all()
        return ClientCard(
            client=client,
            contacts=contacts,
            manager=people.get(client.manager_id or 0),
            creator=people.get(client.created_by or 0),
            events=events,
            events_total=int(total or 0),
            actors=people,
            deals=deals,
            open_tasks=[task for task, _total in tasks],
            open_tasks_total=int(tasks[0][1]) if tasks else 0,
            first=first,
        )

    async def shown_events(
        self, actor: User, client_id: int, newest: int, count: int
    ) -> ShownEvents:
        """The ``count`` events of the client's history a card showed, ``newest`` first."""
        client = await self._clients.visible(actor, client_id)
        of_card = Event.client_id == client.id
        return await shown_events(self._session, self._settings, actor, of_card, newest, count)

    async def _card_contacts(self, client_id: int) -> Contacts:
        """``Clients.contacts`` in one round trip instead of three, for the card."""
        rows = await self._session.execute(sql.CONTACTS, {"client": client_id})
        contacts = Contacts()
        lists = {"phone": contacts.phones, "email": contacts.emails, "tag": contacts.tags}
        for row_kind, row_value, _position in rows:
            lists[row_kind].append(row_value)
        return contacts

    async def page(self, actor: User, filters: ClientFilter, page: int, per_page: int = 8) -> Page:
        query = select(Client).where(*await self._conditions(actor, filters))
        if filters.fields:  # counted from the clients the fields match, not the whole list
            ids = matching_all(CardKind.CLIENT, filters.fields)
            base = await self._conditions(actor, replace(filters, fields=()))
            counted = select(func.count()).select_from(ids).join(Client, Client.id == ids.c.card_id)
            total = int(await self._session.scalar(counted.where(*base)) or 0)
        else:
            total = int(await self._session.scalar(_count(query)) or 0)
        pages = max(1, -(-total // per_page))
        page = min(max(page, 0), pages - 1)
        rows = await self._session.scalars(
            query.order_by(Client.last_activity_at.desc(), Client.id.desc())
            .offset(page * per_page)
            .limit(per_page)
        )
        return Page(list(rows), total, page, pages)

    async def search(
        self,
        actor: User,
        text: str,
        limit: int = 10,
        archived: bool = False,
        candidates: client_search.Candidates | None = None,
    ) -> list[Client]:
        """Best matches first (see ``client_search.name_rank``), then the most recent activity.

        A single word shorter than three letters matches name prefixes only. A single
        word typed as a tag (``#hr``, ``#опт``), the clients with that very tag instead
        (not a longer one holding it, ``#оптовик``). ``archived``:
        among the archived clients instead of the active ones. ``candidates``: shared by
        searches for the same text in one session (see ``client_search.ranked_clients``).
        """
        terms = searched_terms(text)
        if not terms:
            return []
        # "#vip," is the tag vip, and so is "#vip …" (a stop typed apart is no word)
        words = [word for word in map(bare_word, text.split()) if word]
        short = len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit()
        as_tag = len(words) == 1 and len(terms) == 1 and words[0].startswith("#")
        tag = (words[0].lstrip("#").lower() or None) if as_tag else None
        conditions = await self._conditions(actor, ClientFilter(archived=archived, tag=tag))
        prefix_only = short and tag is None
        return await client_search.ranked_clients(
            self._session, conditions, terms, limit, prefix_only, candidates
        )

    async def search_with_archive(
        self, actor: User, text: str, results: int
    ) -> tuple[list[Client], list[Client]]:
        """Up to ``results + 1`` active matches and, when fewer than ``results``, the
        archived ones to fill the rest: what /find lists. The archive's search reuses
        the first one's candidates, and does not run when the active clients found are
        all the candidates there are (on SQLite, mostly: a full name, a whole phone)."""
        candidates = client_search.Candidates()
        found = await self.search(actor, text, limit=results + 1, candidates=candidates)
        archived: list[Client] = []
        if len(found) < results and not candidates.none_left([c.id for c in found]):
            archived = await self.search(
                actor, text, limit=results - len(found), archived=True, candidates=candidates
            )
        return found, archived

    async def usual_sources(self, limit: int = 6) -> list[str]:
        """The sources the team's clients came from, most frequent first (the new-client
        dialog offers them as buttons). Team-wide: a source names a channel, not a client."""
        rows = await self._session.execute(
            select(Client.source, func.count())
            .where(Client.source.is_not(None), Client.source != "")
            .group_by(Client.source)
            .order_by(func.count().desc(), Client.source)
            .limit(limit)
        )
        return [str(source) for source, _count in rows.all()]

    async def common_values(
        self,
        actor: User,
        kind: str,
        limit: int | None = 12,
        offset: int = 0,
        archived: bool = False,
    ) -> list[str]:
        """The most common tags (``kind`` "tag") or cities of the clients ``actor`` sees
        (``archived``: the archived ones), a page of filter buttons; ``limit`` None: all."""
        base = await self._conditions(actor, ClientFilter(archived=archived))
        column = ClientTag.tag if kind == "tag" else Client.city
        joined = [ClientTag.client_id == Client.id] if kind == "tag" else []
        rows = await self._session.scalars(
            select(column)
            .where(*base, *joined, column.is_not(None))
            .group_by(column)
            .order_by(func.count().desc(), column)
            .offset(offset)
            .limit(limit)
        )
        return [str(value) for value in rows]

    async def _conditions(self, actor: User, filters: ClientFilter) -> list[ColumnElement[bool]]:
        return await client_conditions(self._settings, self._clock, actor, filters)


def _count(query: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(query.subquery())
