"""The owner's numbers for a period: the funnel, win rate, lost reasons, who won what.

A deal that skipped stages counts as having reached every stage before the
one it got to; a won deal reached every open stage. The funnel follows the
deals created in the period; won and lost figures follow the deals closed in
it. A lead's deal thrown out as spam is in none of them (crm.lost_reasons.not_spam),
nor is the card such a lead made among the new clients (``not_spam_card``).
A manager gets the same numbers about their own deals and clients.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff
from crm.field_report import FieldFigures, figures_by_field, report_field
from crm.intake.source_report import SourceFigures, figures_by_source
from crm.lost_reasons import not_spam, not_spam_card, same_reason
from crm.pipeline import Pipelines, StageView
from storage.models import Client, Deal, Event, FieldDef, Stage, User

STAGE_EVENTS = ("deal_created", "stage_changed", "deal_won", "deal_lost", "deal_reopened")


@dataclass(frozen=True)
class _Closed:
    amount: int
    created_at: datetime
    closed_at: datetime
    reason: str | None
    manager_id: int | None


@dataclass(frozen=True)
class FunnelStep:
    stage: StageView
    reached: int
    conversion: float | None  # to the next step; None for the last


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    funnel: list[FunnelStep]
    created: int
    won_count: int
    won_amount: int
    lost_count: int
    lost_amount: int
    win_rate: float | None
    average_won: int | None
    average_days_to_won: float | None
    lost_reasons: list[tuple[str, int, int]]  # reason, count, amount
    won_by_member: list[tuple[int | None, int, int]]  # manager id, count, amount
    clients_by_source: list[tuple[str | None, int]]


class Reports:
    def __init__(self, session: AsyncSession, pipelines: Pipelines) -> None:
        self._session = session
        self._pipelines = pipelines

    async def report(self, actor: User, start: datetime, end: datetime) -> Report:
        mine = self._mine(actor)
        stages = await self._pipelines.stages()
        funnel, created = await self._funnel(stages, mine, start, end)
        closed = await self._session.execute(
            select(
                Stage.kind,
                Deal.amount_minor,
                Deal.created_at,
                Deal.closed_at,
                Deal.lost_reason,
                Deal.manager_id,
            )
            .join(Stage, Stage.id == Deal.stage_id)
            .where(mine, Deal.closed_at >= start, Deal.closed_at < end, not_spam())
        )
        won: list[_Closed] = []
        lost: list[_Closed] = []
        for kind, amount, created_at, closed_at, reason, manager_id in closed.all():
            assert closed_at is not None  # the query selects closed deals only
            row = _Closed(amount, created_at, closed_at, reason, manager_id)
            if kind == "won":
                won.append(row)
            elif kind == "lost":
                lost.append(row)
        reasons: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in lost:  # "too expensive" and «дорого» are one reason
            counted = reasons[same_reason(row.reason)]
            counted[0] += 1
            counted[1] += row.amount
        by_member: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
        for row in won:
            by_member[row.manager_id][0] += 1
            by_member[row.manager_id][1] += row.amount
        won_amount = sum(row.amount for row in won)
        days = [(row.closed_at - row.created_at).total_seconds() / 86400 for row in won]
        sources = await self._session.execute(
            select(Client.source, func.count())
            .where(
                self._my_clients(actor),
                Client.created_at >= start,
                Client.created_at < end,
                not_spam_card(),
            )
            .group_by(Client.source)
            .order_by(func.count().desc(), Client.source.is_(None), Client.source)
        )
        return Report(
            start=start,
            end=end,
            funnel=funnel,
            created=created,
            won_count=len(won),
            won_amount=won_amount,
            lost_count=len(lost),
            lost_amount=sum(row.amount for row in lost),
            win_rate=len(won) / (len(won) + len(lost)) if won or lost else None,
            average_won=round(won_amount / len(won)) if won else None,
            average_days_to_won=sum(days) / len(days) if days else None,
            lost_reasons=sorted(
                ((r, c, a) for r, (c, a) in reasons.items()), key=lambda x: (-x[1], -x[2], x[0])
            ),
            won_by_member=sorted(
                ((m, c, a) for m, (c, a) in by_member.items()), key=lambda x: (-x[2], -x[1])
            ),
            clients_by_source=[(source, int(count)) for source, count in sources.all()],
        )

    async def _funnel(
        self, stages: list[StageView], mine: ColumnElement[bool], start: datetime, end: datetime
    ) -> tuple[list[FunnelStep], int]:
        opened = [s for s in stages if s.kind == "open"]
        rank = {s.id: index for index, s in enumerate(opened)}
        won_ids = {s.id for s in stages if s.kind == "won"}
        # One round trip for the deals created in the period and the stages they were put
        # on: each deal's stage events, and the deal alone (target None) when it has none.
        # Only the target stage id is read out of the event's JSON, by the database.
        rows = await self._session.execute(
            select(Deal.id, Event.data["to"].as_integer())
            .outerjoin(Event, and_(Event.deal_id == Deal.id, Event.kind.in_(STAGE_EVENTS)))
            .where(mine, Deal.created_at >= start, Deal.created_at < end, not_spam())
        )
        deal_ids: set[int] = set()
        furthest: dict[int, int] = {}
        for deal_id, target in rows.all():
            deal_ids.add(deal_id)
            if target in won_ids:
                level = len(opened)  # a won deal passed every open stage
            elif target in rank:
                level = rank[target]
            else:
                continue  # a lost deal keeps the furthest open stage it reached
            furthest[deal_id] = max(level, furthest.get(deal_id, -1))
        created = len(deal_ids)
        counts = [sum(1 for level in furthest.values() if level >= i) for i in range(len(opened))]
        won_stage = next((s for s in stages if s.kind == "won"), None)
        steps = [*opened, *([won_stage] if won_stage else [])]
        counts.append(sum(1 for level in furthest.values() if level >= len(opened)))
        funnel = [
            FunnelStep(
                stage=stage,
                reached=counts[i],
                conversion=(counts[i + 1] / counts[i] if counts[i] else None)
                if i + 1 < len(steps)
                else None,
            )
            for i, stage in enumerate(steps)
        ]
        return funnel, created

    async def by_source(self, actor: User, start: datetime, end: datetime) -> list[SourceFigures]:
        """Which channel brings money, not only leads (see ``crm.intake.source_report``)."""
        return await figures_by_source(self._session, actor, start, end)

    async def by_field(
        self, actor: User, field_id: int, start: datetime, end: datetime
    ) -> tuple[FieldDef, list[FieldFigures]]:
        """Won and lost per value of a deal list field (see ``crm.field_report``)."""
        field = await report_field(self._session, field_id)
        return field, await figures_by_field(self._session, actor, field, start, end)

    async def won_amounts(
        self, actor: User, start: datetime, end: datetime
    ) -> list[tuple[datetime, int]]:
        """(closed at, amount) of each deal won between ``start`` and ``end``, for charts."""
        rows = await self._session.execute(
            select(Deal.closed_at, Deal.amount_minor)
            .join(Stage, Stage.id == Deal.stage_id)
            .where(
                self._mine(actor),
                Stage.kind == "won",
                Deal.closed_at >= start,
                Deal.closed_at < end,
            )
        )
        return [(closed_at, int(amount)) for closed_at, amount in rows.all() if closed_at]

    @staticmethod
    def _mine(actor: User) -> ColumnElement[bool]:
        return true() if is_staff(actor) else Deal.manager_id == actor.id

    @staticmethod
    def _my_clients(actor: User) -> ColumnElement[bool]:
        return true() if is_staff(actor) else Client.manager_id == actor.id
