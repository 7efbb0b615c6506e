"""Reading deals: the deal card, the pipeline at a glance, and a stage's deals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.access import can_change_deal
from crm.cards import CardKind
from crm.clock import Clock
from crm.deals import Deals
from crm.events import EventKind
from crm.field_filters import FieldFilter, field_conditions
from crm.lost_reasons import not_spam
from crm.pipeline import Pipelines, StageView
from crm.team_settings import TeamSettings
from crm.unseen_links import mask_unseen_links
from storage.client_search import unindexed
from storage.models import Client, Deal, Event, Stage, User

CARD_EVENTS = 10


@dataclass(frozen=True)
class DealFilter:
    mine: bool = False
    stale: bool = False
    closing_this_month: bool = False
    fields: tuple[FieldFilter, ...] = ()  # custom fields (crm.field_filters)


@dataclass
class DealCard:
    deal: Deal
    client: Client
    stage: StageView
    stages: list[StageView]
    manager: User | None
    events: list[Event]
    events_total: int
    actors: dict[int, User] = field(default_factory=dict)
    next_stage_id: int | None = None
    can_change: bool = False
    first: int = 0  # the first event of the history read (0: the newest)


@dataclass(frozen=True)
class StageTotal:
    stage: StageView
    count: int
    amount: int  # minor units


@dataclass(frozen=True)
class Overview:
    stages: list[StageTotal]
    open_count: int
    open_amount: int
    won_count: int
    won_amount: int
    lost_count: int
    lost_amount: int


@dataclass(frozen=True)
class DealLine:
    deal: Deal
    client_name: str


def next_open_stage(stages: list[StageView], stage_id: int) -> int | None:
    """The open stage after ``stage_id`` (of ``stages``, a pipeline's), if that is an open
    stage with a next one."""
    ids = [s.id for s in stages if s.kind == "open"]
    later = ids[ids.index(stage_id) + 1 :] if stage_id in ids else []
    return later[0] if later else None


class DealQueries:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        settings: TeamSettings,
        deals: Deals,
        pipelines: Pipelines,
    ) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings
        self._deals = deals
        self._pipelines = pipelines

    async def card(self, actor: User, deal_id: int, first: int = 0) -> DealCard:
        """``first``: the first event of the history read (0: the newest), then CARD_EVENTS."""
        deal = await self._deals.visible(actor, deal_id)
        client = await self._session.get(Client, deal.client_id)
        assert client is not None
        stages = await self._pipelines.stages(deal.pipeline_id)
        stage = next(s for s in stages if s.id == deal.stage_id)
        # A move to another client is written on both clients' timelines; the deal's
        # shows it once, as its new client's.
        once = or_(
            Event.kind != EventKind.DEAL_CLIENT_CHANGED,
            Event.client_id == Event.data["new"].as_integer(),
        )
        total = await self._session.scalar(
            select(func.count()).select_from(Event).where(Event.deal_id == deal.id, once)
        )
        if first >= (total or 0):  # an old screen's, the history shorter since: its last page
            first = max(0, ((total or 0) - 1) // CARD_EVENTS * CARD_EVENTS)
        events = list(
            await self._session.scalars(
                select(Event)
                .where(Event.deal_id == deal.id, once)
                .order_by(Event.id.desc())
                .offset(max(first, 0))
                .limit(CARD_EVENTS)
            )
        )
        await mask_unseen_links(self._session, self._settings, actor, events)
        ids = {e.actor_id for e in events if e.actor_id} | {deal.manager_id or 0}
        people = {
            u.id: u for u in await self._session.scalars(select(User).where(User.id.in_(ids)))
        }
        return DealCard(
            deal=deal,
            client=client,
            stage=stage,
            stages=stages,
            manager=people.get(deal.manager_id or 0),
            events=events,
            events_total=int(total or 0),
            actors=people,
            next_stage_id=next_open_stage(stages, deal.stage_id),
            can_change=can_change_deal(actor, deal),
            first=max(first, 0),
        )

    async def overview(
        self, actor: User, filters: DealFilter, month_start: datetime, month_end: datetime
    ) -> Overview:
        """Open deals per stage; what was won and lost from ``month_start`` to ``month_end``
        (a sale made stays one when its client is archived after, as in /report)."""
        stages = await self._pipelines.stages()
        base = await self._conditions(actor, filters, month_start, month_end)
        sold = await self._conditions(actor, filters, month_start, month_end, archived_too=True)
        rows = await self._session.execute(
            select(Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.amount_minor), 0))
            .join(Client, Client.id == Deal.client_id)
            .where(*base, Deal.closed_at.is_(None))
            .group_by(Deal.stage_id)
        )
        per_stage = {stage_id: (count, amount) for stage_id, count, amount in rows.all()}
        totals = [StageTotal(s, *per_stage.get(s.id, (0, 0))) for s in stages if s.kind == "open"]
        closed = await self._session.execute(
            select(Stage.kind, func.count(), func.coalesce(func.sum(Deal.amount_minor), 0))
            .join(Stage, Stage.id == Deal.stage_id)
            .join(Client, Client.id == Deal.client_id)
            .where(
                *sold,
                Deal.closed_at.is_not(None),
                Deal.closed_at >= month_start,
                Deal.closed_at < month_end,
                not_spam(),
            )
            .group_by(Stage.kind)
        )
        by_kind = {kind: (count, amount) for kind, count, amount in closed.all()}
        won, lost = by_kind.get("won", (0, 0)), by_kind.get("lost", (0, 0))
        return Overview(
            stages=totals,
            open_count=sum(t.count for t in totals),
            open_amount=sum(t.amount for t in totals),
            won_count=won[0],
            won_amount=won[1],
            lost_count=lost[0],
            lost_amount=lost[1],
        )

    async def on_stage(
        self,
        actor: User,
        stage_id: int,
        filters: DealFilter,
        month_start: datetime,
        month_end: datetime,
        page: int,
        per_page: int = 8,
    ) -> tuple[list[DealLine], int]:
        base = await self._conditions(actor, filters, month_start, month_end)
        query = (
            select(Deal, Client.name)
            .join(Client, Client.id == Deal.client_id)
            .where(*base, Deal.stage_id == stage_id, Deal.closed_at.is_(None))
        )
        total = int(
            await self._session.scalar(select(func.count()).select_from(query.subquery())) or 0
        )
        rows = await self._session.execute(
            query.order_by(Deal.last_activity_at.desc(), Deal.id.desc())
            .offset(max(page, 0) * per_page)
            .limit(per_page)
        )
        return [DealLine(deal, name) for deal, name in rows.all()], total

    async def of_client(self, actor: User, client_id: int) -> list[tuple[Deal, StageView]]:
        await self._deals.check_client(actor, client_id)
        stages = {s.id: s for s in await self._pipelines.stages()}
        rows = await self._session.scalars(
            select(Deal)
            .where(Deal.client_id == client_id)
            .order_by(Deal.closed_at.is_not(None), Deal.last_activity_at.desc())
        )
        return [(deal, stages[deal.stage_id]) for deal in rows if deal.stage_id in stages]

    async def _conditions(
        self,
        actor: User,
        filters: DealFilter,
        month_start: datetime,
        month_end: datetime,
        archived_too: bool = False,
    ) -> list[ColumnElement[bool]]:
        """``archived_too``: the deals of archived clients as well (listed deals leave them out)."""
        see_all = await self._settings.managers_see_all()
        dialect = self._session.bind.dialect.name if self._session.bind else "sqlite"
        conditions: list[ColumnElement[bool]] = [visibility.visible_clients(actor, see_all)]
        if not archived_too:
            conditions.append(unindexed(Client.archived_at.is_(None), dialect))
        if filters.mine:
            conditions.append(Deal.manager_id == actor.id)
        if filters.stale:
            conditions.append(await self._stale_condition())
        if filters.closing_this_month:
            conditions.append(
                and_(
                    Deal.expected_close.is_not(None),
                    Deal.expected_close >= month_start.date(),
                    Deal.expected_close < month_end.date(),
                )
            )
        conditions.extend(field_conditions(CardKind.DEAL, filters.fields))
        return conditions

    async def _stale_condition(self) -> ColumnElement[bool]:
        """On an open stage with a limit, and no activity for longer than it."""
        now = self._clock.now()
        clauses = [
            and_(Deal.stage_id == s.id, Deal.last_activity_at < now - timedelta(days=s.stale_days))
            for s in await self._pipelines.stages()
            if s.kind == "open" and s.stale_days
        ]
        return or_(*clauses) if clauses else false()


def month_bounds(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following
