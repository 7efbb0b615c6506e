"""The daily summary for owners and admins, and each manager's morning list.

Both are decided on the scheduler's tick: once the reader's local clock has
passed the digest time, one outbox row is written under a key of the reader
and the local day, so a restart neither loses nor repeats one, and a reader who
moves their zone gets one each day they live through (``crm.digest_days``). The figures
are computed when the row is sent, for the reader's previous local day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import outbox
from crm.access import STAFF_ROLES, is_staff
from crm.clock import Clock
from crm.deal_queries import DealFilter, DealQueries
from crm.digest_days import DigestsDone, digest_key, had_since, zone
from crm.errors import ErrorCode, InvalidInput, NotAllowed
from crm.lost_reasons import not_spam, not_spam_card
from crm.pipeline import Pipelines
from crm.team_settings import DIGEST_TIME_KEY, TeamSettings
from storage.engine import write_transaction
from storage.models import AppSetting, Client, Deal, Event, ExportLog, Role, Task, User

DEFAULT_DIGEST_TIME = time(9, 0)
# A tick reads the readers again at least this often (see DigestsDone.quiet_until).
RECHECK = timedelta(minutes=1)
MORNING_TASKS = 30  # of today's and of the overdue tasks each, on the morning list


@dataclass
class Summary:
    day: date
    new_clients: list[str] = field(default_factory=list)
    deals_created: tuple[int, int] = (0, 0)  # count, amount
    deals_moved: int = 0
    deals_won: tuple[int, int] = (0, 0)
    deals_lost: tuple[int, int] = (0, 0)
    pipeline: list[tuple[int, int, int]] = field(default_factory=list)  # stage id, count, amount
    tasks_done: dict[int, int] = field(default_factory=dict)  # member id → count
    tasks_overdue: dict[int, int] = field(default_factory=dict)
    stale_deals: list[tuple[str, str]] = field(default_factory=list)  # deal title, client name
    stale_count: int = 0  # all of them, shown or not
    unreachable: list[int] = field(default_factory=list)
    exports: list[ExportLog] = field(default_factory=list)  # the day's exports (owners only)

    @property
    def quiet(self) -> bool:
        """Nothing happened and nothing needs attention."""
        return not (
            self.new_clients
            or self.deals_created[0]
            or self.deals_moved
            or self.deals_won[0]
            or self.deals_lost[0]
            or self.tasks_done
            or self.tasks_overdue
            or self.stale_deals
            or self.unreachable
            or self.exports
        )


@dataclass
class Morning:
    today: list[Task]  # the first MORNING_TASKS of them
    overdue: list[Task]
    stale_deals: list[tuple[str, str]]
    today_count: int = 0  # all of them, shown or not
    overdue_count: int = 0
    stale_count: int = 0


class Digests:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        deal_queries: DealQueries,
        pipelines: Pipelines,
        settings: TeamSettings,
    ) -> None:
        self._settings = settings
        self._session = session
        self._clock = clock
        self._deals = deal_queries
        self._pipelines = pipelines

    async def digest_time(self) -> time:
        setting = await self._settings.value(DIGEST_TIME_KEY)
        if setting is None:
            return DEFAULT_DIGEST_TIME
        return time(int(setting["hour"]), int(setting["minute"]))

    async def set_digest_time(self, actor: User, moment: time) -> None:
        if not (is_staff(actor) and actor.role == Role.OWNER):
            raise NotAllowed()
        async with self._settings.changing():
            await self._session.merge(
                AppSetting(
                    key=DIGEST_TIME_KEY, value={"hour": moment.hour, "minute": moment.minute}
                )
            )

    async def set_morning_list(self, actor: User, on: bool) -> None:
        """A manager's own morning list on or off (owners and admins get the summary)."""
        if is_staff(actor):
            raise NotAllowed()
        async with write_transaction(self._session):
            user = await self._session.get(User, actor.id)
            if user is None:
                raise InvalidInput(ErrorCode.NO_SUCH_MEMBER)
            user.morning_list = on
            actor.morning_list = on

    async def claim_due(self, done: DigestsDone | None = None) -> int:
        """Queue today's digest for every reader whose local digest time has passed.

        ``done`` remembers (per process) the digests already queued, so once a
        day's are out a tick only reads the readers (one small query) and writes
        nothing. Without it, every due digest is offered to the outbox again,
        whose key drops the repeats.
        """
        now = self._clock.now()
        done = done if done is not None else DigestsDone()
        if done.quiet_until is not None and now < done.quiet_until:
            return 0  # no reader's digest can be due yet: not even a read
        at = await self.digest_time()
        next_due = now + RECHECK
        rows = await self._session.execute(
            select(User.id, User.timezone, User.role, User.morning_list).where(
                User.active.is_(True), User.unreachable_at.is_(None)
            )
        )
        due: list[tuple[int, outbox.OutboxKind, datetime]] = []  # reader, kind, day's start
        for reader_id, timezone, role, morning_list in rows:
            local = now.astimezone(zone(timezone))
            if local.time() < at:
                starts = datetime.combine(local.date(), at, tzinfo=local.tzinfo)
                next_due = min(next_due, starts.astimezone(UTC))
                continue
            if role in STAFF_ROLES:
                kind = outbox.OutboxKind.DIGEST
            elif morning_list:
                kind = outbox.OutboxKind.MORNING
            else:
                continue
            day_start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
            if not done.has(kind, reader_id, day_start):
                due.append((reader_id, kind, day_start))
        if not due:
            done.quiet_until = next_due
            return 0
        queued = 0
        async with write_transaction(self._session):
            # A reader who changed zone may have had this day's already, by their new clock.
            had = await had_since(self._session, due)
            for reader_id, kind, day_start in due:
                if (reader_id, kind) in had:
                    continue
                queued += await outbox.enqueue(
                    self._session,
                    chat_id=reader_id,
                    kind=kind,
                    payload={"day": day_start.date().isoformat()},
                    dedupe_key=digest_key(kind, reader_id, day_start),
                    now=now,
                )
        for reader_id, kind, day_start in due:
            done.add(kind, reader_id, day_start)
        done.quiet_until = next_due
        return queued

    async def summary(self, actor: User, start: datetime, end: datetime) -> Summary:
        """What happened between ``start`` and ``end`` (a local day), for owners and admins."""
        if not is_staff(actor):
            raise NotAllowed()
        summary = Summary(day=start.date())
        names = await self._session.scalars(
            select(Client.name)
            .where(Client.created_at >= start, Client.created_at < end, not_spam_card())
            .order_by(Client.created_at, Client.id)  # made in one instant: in the order made
        )
        summary.new_clients = list(names)
        # Each deal once a kind: won, reopened and won again is one deal won, not two.
        events = await self._session.execute(
            select(Event.kind, Deal.id, Deal.amount_minor)
            .distinct()
            .join(Deal, Deal.id == Event.deal_id)
            .where(
                Event.occurred_at >= start,
                Event.occurred_at < end,
                Event.kind.in_(
                    ("deal_created", "stage_changed", "deal_won", "deal_lost", "deal_reopened")
                ),
                not_spam(),  # a spam lead's deal is no deal: not created, moved nor lost
            )
        )
        by_kind: dict[str, dict[int, int]] = defaultdict(dict)
        for kind, deal_id, amount in events.all():
            moved = kind in ("stage_changed", "deal_reopened")  # moved, or reopened: moved
            by_kind["moved" if moved else kind][deal_id] = int(amount)

        def deals(kind: str) -> tuple[int, int]:
            return len(by_kind[kind]), sum(by_kind[kind].values())

        summary.deals_created = deals("deal_created")
        summary.deals_moved = deals("moved")[0]
        summary.deals_won = deals("deal_won")
        summary.deals_lost = deals("deal_lost")
        overview = await self._deals.overview(actor, DealFilter(), start, end)
        summary.pipeline = [(t.stage.id, t.count, t.amount) for t in overview.stages]
        done = await self._session.execute(
            select(Task.assignee_id, func.count())
            .where(Task.done_at >= start, Task.done_at < end)
            .group_by(Task.assignee_id)
        )
        summary.tasks_done = {int(member): int(count) for member, count in done.all()}
        overdue = await self._session.execute(
            select(Task.assignee_id, func.count())
            .where(Task.done_at.is_(None), Task.due_at < end)
            .group_by(Task.assignee_id)
        )
        summary.tasks_overdue = {int(member): int(count) for member, count in overdue.all()}
        summary.stale_deals, summary.stale_count = await self._stale(actor, mine=False)
        unreachable = await self._session.scalars(
            select(User.id).where(User.active.is_(True), User.unreachable_at.is_not(None))
        )
        summary.unreachable = list(unreachable)
        if actor.role == Role.OWNER:
            exports = await self._session.scalars(
                select(ExportLog)
                .where(ExportLog.created_at >= start, ExportLog.created_at < end)
                .order_by(ExportLog.id)
            )
            summary.exports = list(exports)
        return summary

    async def morning(self, actor: User, start: datetime, end: datetime) -> Morning:
        """A manager's day: today's tasks, overdue ones, their stale deals."""
        now = self._clock.now()
        mine = select(Task).where(Task.assignee_id == actor.id, Task.done_at.is_(None))
        today, today_count = await self._first(mine.where(Task.due_at >= start, Task.due_at < end))
        overdue, overdue_count = await self._first(mine.where(Task.due_at < min(start, now)))
        stale, stale_count = await self._stale(actor, mine=True)
        return Morning(today, overdue, stale, today_count, overdue_count, stale_count)

    async def _first(self, tasks: Select[Task]) -> tuple[list[Task], int]:
        """The first MORNING_TASKS of ``tasks`` by due time, and how many there are."""
        first = await self._session.scalars(tasks.order_by(Task.due_at).limit(MORNING_TASKS))
        count = await self._session.scalar(select(func.count()).select_from(tasks.subquery()))
        return list(first), int(count or 0)

    async def _stale(self, actor: User, mine: bool) -> tuple[list[tuple[str, str]], int]:
        """Up to ten stale deals (title, client), stage by stage, and how many there are."""
        lines: list[tuple[str, str]] = []
        total = 0
        now = self._clock.now()
        for stage in await self._pipelines.stages():
            if stage.kind != "open":
                continue
            room = max(0, 10 - len(lines))
            stale = DealFilter(mine=mine, stale=True)
            found, count = await self._deals.on_stage(actor, stage.id, stale, now, now, 0, room)
            lines.extend((line.deal.title, line.client_name) for line in found)
            total += count
        return lines[:10], total
