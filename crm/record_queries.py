"""Finding records: a type's list with paging, search and field filters, and a record's card."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff, own_tasks_first
from crm.card_extras import CardExtras
from crm.cards import CardKind, CardRef, visible_records
from crm.client_index import searched_terms
from crm.event_data import people_in
from crm.field_filters import FieldFilter, field_conditions
from crm.field_plain import ShownValue
from crm.link_views import LinkView
from crm.record_types import RecordTypes
from crm.records import Records
from crm.shown_events import ShownEvents, shown_events
from crm.team_settings import TeamSettings
from crm.unseen_links import mask_unseen_links
from storage.models import Event, Record, RecordType, Task, User

EVENTS_PER_PAGE = 10
CARD_TASKS = 5  # open tasks the card lists (soonest, a manager's own first); and how many more


@dataclass(frozen=True)
class RecordFilter:
    archived: bool = False
    mine: bool = False
    search: str = ""
    fields: tuple[FieldFilter, ...] = ()


@dataclass
class RecordPage:
    records: list[Record]
    total: int
    page: int
    pages: int


@dataclass
class RecordCard:
    record: Record
    type: RecordType
    values: list[ShownValue]
    links: list[LinkView]
    events: list[Event]
    events_total: int
    manager: User | None = None
    actors: dict[int, User] = field(default_factory=dict)
    types: Mapping[int, RecordType] = field(default_factory=dict)  # every type, for the links
    first: int = 0  # the first event of the history read (0: the newest), then EVENTS_PER_PAGE
    open_tasks: list[Task] = field(default_factory=list)  # the first ``CARD_TASKS``
    open_tasks_total: int = 0


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class RecordQueries:
    def __init__(
        self,
        session: AsyncSession,
        settings: TeamSettings,
        types: RecordTypes,
        records: Records,
        extras: CardExtras,
    ) -> None:
        self._session = session
        self._settings = settings
        self._types = types
        self._records = records
        self._extras = extras

    async def page(
        self, actor: User, type_id: int, filters: RecordFilter, page: int, per_page: int = 8
    ) -> RecordPage:
        await self._types.get(type_id)
        conditions = await self._conditions(actor, type_id, filters)
        total = int(
            await self._session.scalar(select(func.count()).select_from(Record).where(*conditions))
            or 0
        )
        pages = max(1, -(-total // per_page))
        page = min(max(page, 0), pages - 1)
        rows = await self._session.scalars(
            select(Record)
            .where(*conditions)
            .order_by(Record.last_activity_at.desc(), Record.id.desc())
            .offset(page * per_page)
            .limit(per_page)
        )
        return RecordPage(list(rows), total, page, pages)

    async def card(self, actor: User, record_id: int, first: int = 0) -> RecordCard:
        record = await self._records.visible(actor, record_id)
        extras = await self._extras.read(actor, CardRef(CardKind.RECORD, record.id), record)
        # A type made by another instance a moment ago may not be in this one's copy yet.
        record_type = extras.types.get(record.type_id) or await self._types.get(record.type_id)
        total = int(
            await self._session.scalar(
                select(func.count()).select_from(Event).where(Event.record_id == record.id)
            )
            or 0
        )
        if first >= total:  # an old screen's, the history shorter since: its last page
            first = max(0, (total - 1) // EVENTS_PER_PAGE * EVENTS_PER_PAGE)
        first = max(first, 0)
        events = list(
            await self._session.scalars(
                select(Event)
                .where(Event.record_id == record.id)
                .order_by(Event.id.desc())
                .offset(first)
                .limit(EVENTS_PER_PAGE)
            )
        )
        await mask_unseen_links(self._session, self._settings, actor, events)
        ids = people_in(events) | ({record.manager_id} if record.manager_id else set())
        actors = {
            u.id: u for u in await self._session.scalars(select(User).where(User.id.in_(ids)))
        }
        manager = actors.get(record.manager_id) if record.manager_id else None
        tasks = await self._open_tasks(actor, record.id)
        return RecordCard(
            record,
            record_type,
            extras.values,
            extras.links,
            events,
            total,
            manager,
            actors,
            extras.types,
            first,
            [task for task, _total in tasks],
            int(tasks[0][1]) if tasks else 0,
        )

    async def _open_tasks(self, actor: User, record_id: int) -> list[tuple[Task, int]]:
        """The first ``CARD_TASKS`` open tasks of the record (a rule's), soonest first, each
        with how many there are in all (the window counts before the limit), as a client's
        card reads them: a manager's own first, as the card makes buttons only for those."""
        own_first = [] if is_staff(actor) else [own_tasks_first(actor.id)]
        rows = await self._session.execute(
            select(Task, func.count().over())
            .where(Task.record_id == record_id, Task.done_at.is_(None))
            .order_by(*own_first, Task.due_at, Task.id)
            .limit(CARD_TASKS)
        )
        return [(task, int(total)) for task, total in rows.all()]

    async def shown_events(
        self, actor: User, record_id: int, newest: int, count: int
    ) -> ShownEvents:
        """The ``count`` events of the record's history a card showed, ``newest`` first."""
        record = await self._records.visible(actor, record_id)
        of_card = Event.record_id == record.id
        return await shown_events(self._session, self._settings, actor, of_card, newest, count)

    async def _conditions(
        self, actor: User, type_id: int, filters: RecordFilter
    ) -> list[ColumnElement[bool]]:
        see_all = await self._settings.managers_see_all()
        conditions: list[ColumnElement[bool]] = [
            Record.type_id == type_id,
            visible_records(actor, see_all),
            Record.archived_at.is_not(None) if filters.archived else Record.archived_at.is_(None),
        ]
        if filters.mine:
            conditions.append(Record.manager_id == actor.id)
        terms = searched_terms(filters.search)
        if filters.search.strip() and not terms:  # "." or "«»": no word left, no record found
            conditions.append(false())
        for term in terms:
            conditions.append(Record.search_text.like(_like(term), escape="\\"))
        conditions.extend(field_conditions(CardKind.RECORD, filters.fields))
        return conditions
