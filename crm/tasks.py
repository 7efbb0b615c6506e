"""Tasks: what to do and when, for whom, hanging off a client or a deal.

Reminders live here, in the tasks table (``remind_at``, ``early_at`` and when
each was claimed); ``crm.reminders`` claims the due ones into the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, notices, outbox, task_assign
from crm.access import is_staff
from crm.clients import Clients
from crm.clock import Clock
from crm.config import CrmConfig
from crm.deals import Deals
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound
from crm.event_data import NOTHING, Data, TaskAssigned, TaskCreated, TaskRescheduled, TaskSnoozed
from crm.events import EventKind
from crm.parsing.search_text import one_line
from crm.recurrence import REPEATS
from crm.reminders import follow_assignee
from crm.row_locks import locked
from crm.task_repeats import next_of
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import Task, User

PRIORITIES = ("low", "normal", "high")
REMIND_BEFORE = (0, 15, 60, 1440)
MAX_TITLE = 500


def clean_title(text: str) -> str:
    title = one_line(text)
    if not title:
        raise InvalidInput(ErrorCode.EMPTY, field="task")
    if len(title) > MAX_TITLE:
        raise InvalidInput(ErrorCode.TOO_LONG, field="task", limit=MAX_TITLE)
    return title


class Tasks:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        settings: TeamSettings,
        clients: Clients,
        deals: Deals,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._settings = settings
        self._clients = clients
        self._deals = deals

    async def visible(self, actor: User, task_id: int, lock: bool = False) -> Task:
        """Seen by its assignee, whoever set it, owners and admins. ``lock``: locked until
        commit and read afresh (crm.row_locks), so two members changing it take turns."""
        session = self._session
        task = await (locked(session, Task, task_id) if lock else session.get(Task, task_id))
        if task is None or not (is_staff(actor) or actor.id in (task.assignee_id, task.created_by)):
            raise NotFound()
        return task

    async def create(
        self,
        actor: User,
        title: str,
        due_at: datetime,
        *,
        client_id: int | None = None,
        deal_id: int | None = None,
        assignee_id: int | None = None,
        priority: str = "normal",
        remind_before: int = 0,
        repeat: str | None = None,
    ) -> Task:
        title = clean_title(title)
        _check_options(priority, remind_before, repeat)
        now = self._clock.now()
        if due_at < now - timedelta(minutes=1):
            raise InvalidInput(ErrorCode.IN_THE_PAST)
        async with write_transaction(self._session):
            if deal_id is not None:
                deal = await self._deals.visible(actor, deal_id)
                client_id = deal.client_id
            elif client_id is not None:
                await self._clients.visible(actor, client_id)
            assignee = await self._assignee(actor, assignee_id)
            await self.refuse_unseen(assignee, client_id=client_id, record_id=None)
            task = Task(
                title=title,
                due_at=due_at,
                priority=priority,
                repeat=repeat,
                assignee_id=assignee.id,
                client_id=client_id,
                deal_id=deal_id,
                created_by=actor.id,
                created_at=now,
            )
            _schedule(task, due_at, remind_before, now)
            self._session.add(task)
            await self._session.flush()
            created = TaskCreated(due_at=due_at.isoformat())
            self._record(task, EventKind.TASK_CREATED, actor, created)
            if assignee.id != actor.id:
                await self._tell_assignee(task)
            return task

    async def reschedule(self, actor: User, task_id: int, due_at: datetime) -> Task:
        if due_at < self._clock.now() - timedelta(minutes=1):
            raise InvalidInput(ErrorCode.IN_THE_PAST)
        async with write_transaction(self._session):
            task = await self._open_task(actor, task_id)
            old = task.due_at
            _schedule(task, due_at, task.remind_before, self._clock.now())
            task.repeat_day = task.repeat_time = None  # it keeps the day and time given now
            moved = TaskRescheduled(old=old.isoformat(), new=due_at.isoformat())
            self._record(task, EventKind.TASK_RESCHEDULED, actor, moved)
            return task

    async def set_options(
        self,
        actor: User,
        task_id: int,
        *,
        priority: str | None = None,
        remind_before: int | None = None,
        repeat: str | None = "",
    ) -> Task:
        """Change priority, the earlier reminder or the repeat ("" leaves repeat as it is)."""
        async with write_transaction(self._session):
            task = await self._open_task(actor, task_id)
            new_priority = task.priority if priority is None else priority
            new_before = task.remind_before if remind_before is None else remind_before
            new_repeat = task.repeat if repeat == "" else repeat
            _check_options(new_priority, new_before, new_repeat)
            task.priority, task.repeat = new_priority, new_repeat
            if new_before != task.remind_before:
                task.remind_before = new_before
                _set_early(task, self._clock.now())
            return task

    async def assign(self, actor: User, task_id: int, assignee_id: int) -> Task:
        async with write_transaction(self._session):
            task = await self._open_task(actor, task_id)
            assignee = await self._assignee(actor, assignee_id)
            await self.refuse_unseen(assignee, client_id=task.client_id, record_id=task.record_id)
            if assignee.id != task.assignee_id:
                await follow_assignee(self._session, task.assignee_id, assignee.id, task.id)
                task.assignee_id = assignee.id
                given = TaskAssigned(assignee=assignee.id)
                self._record(task, EventKind.TASK_ASSIGNED, actor, given)
                if assignee.id != actor.id:
                    await self._tell_assignee(task)
            return task

    async def snooze(self, actor: User, task_id: int, until: datetime) -> Task:
        """Remind again at ``until``; the due time stays."""
        if until <= self._clock.now():
            raise InvalidInput(ErrorCode.IN_THE_PAST)
        async with write_transaction(self._session):
            task = await self._open_task(actor, task_id)
            if task.reminded_at is None and task.early_at is not None and until < task.due_at:
                # The earlier reminder was snoozed: the one at the due time stays.
                task.early_at, task.early_reminded_at = until, None
            else:
                # The reminder comes again, and so does its nudge if still open an hour on.
                task.remind_at, task.reminded_at, task.nudged_at = until, None, None
            self._record(task, EventKind.TASK_SNOOZED, actor, TaskSnoozed(until=until.isoformat()))
            return task

    async def done(self, actor: User, task_id: int) -> tuple[Task, Task | None]:
        """Mark done; a repeating task gets its next occurrence. Returns both."""
        async with write_transaction(self._session):
            task = await self.visible(actor, task_id, lock=True)  # not two next occurrences
            if task.done_at is not None:
                raise Conflict(ErrorCode.ALREADY_DONE)
            if not (is_staff(actor) or actor.id == task.assignee_id):
                raise NotAllowed()
            now = self._clock.now()
            task.done_at = now
            self._record(task, EventKind.TASK_DONE, actor)
            await notices.task_done(self._session, self._clock, task, actor.id)
            following = None
            if task.repeat:
                tz = self._config.default_timezone
                following = await next_of(self._session, task, task.repeat, now, tz)
                due = following.due_at
                _schedule(following, due, task.remind_before, now)
                self._session.add(following)
                await self._session.flush()
                created = TaskCreated(due_at=due.isoformat(), repeat_of=task.id)
                self._record(following, EventKind.TASK_CREATED, actor, created)
            return task, following

    async def _open_task(self, actor: User, task_id: int) -> Task:
        """Locked and read afresh: one another member marked done meanwhile is refused."""
        task = await self.visible(actor, task_id, lock=True)
        if task.done_at is not None:
            raise Conflict(ErrorCode.ALREADY_DONE)
        if not (is_staff(actor) or actor.id in (task.assignee_id, task.created_by)):
            raise NotAllowed()
        return task

    async def _assignee(self, actor: User, assignee_id: int | None) -> User:
        if assignee_id is None or assignee_id == actor.id:
            return actor
        if not is_staff(actor):
            raise NotAllowed()
        assignee = await self._session.get(User, assignee_id)
        if assignee is None or not assignee.active:
            raise InvalidInput(ErrorCode.NO_SUCH_MEMBER)
        return assignee

    async def refuse_unseen(
        self, assignee: User, *, client_id: int | None, record_id: int | None
    ) -> None:
        """Refused (``crm.task_assign``) unless ``assignee`` sees the task's card."""
        see_all = await self._settings.managers_see_all()
        await task_assign.refuse_unseen(
            self._session, see_all, assignee, client_id=client_id, record_id=record_id
        )

    async def _tell_assignee(self, task: Task) -> None:
        await outbox.enqueue(
            self._session,
            chat_id=task.assignee_id,
            kind=outbox.OutboxKind.TASK_ASSIGNED,
            payload={"task_id": task.id},
            dedupe_key=f"task:{task.id}:assigned:{task.assignee_id}:{self._clock.now():%Y%m%dT%H%M%S}",
            now=self._clock.now(),
        )

    def _record(
        self, task: Task, kind: EventKind, actor: User, data: Data = NOTHING, linked: bool = True
    ) -> None:
        """One event about ``task``; ``linked=False`` for a task about to be removed."""
        events.record(
            self._session,
            self._clock,
            kind,
            actor.id,
            client_id=task.client_id,
            deal_id=task.deal_id,
            record_id=task.record_id,
            task_id=task.id if linked else None,
            text=task.title,
            data=data,
        )


def _schedule(task: Task, due_at: datetime, remind_before: int, now: datetime) -> None:
    """The task due at ``due_at`` (made, moved or repeated at ``now``), its reminders anew."""
    task.due_at = due_at
    task.remind_before = remind_before
    task.remind_at = due_at
    task.reminded_at = None
    task.nudged_at = None
    task.announced_overdue_at = None  # overdue by a day again, the group hears of it again
    _set_early(task, now)


def _set_early(task: Task, now: datetime) -> None:
    """The task's earlier reminder from its due time and ``remind_before``, at ``now``."""
    reminded = task.reminded_at is not None
    task.early_at, task.early_reminded_at = early_reminder(
        task.due_at, task.remind_before, reminded, now
    )


def early_reminder(
    due_at: datetime, remind_before: int, reminded: bool, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The earlier reminder's moment and its sent mark: None for none; sent (``now``) when
    its moment has passed or the task was ``reminded`` at its due time already, as it is
    moot then ("⏰ Coming up" at the next tick for a task due in 30 minutes with "1 hour
    before", or "⏰ Coming up at 12:20" at 14:20)."""
    if not remind_before:
        return None, None
    early_at = due_at - timedelta(minutes=remind_before)
    return early_at, now if early_at <= now or reminded else None


def _check_options(priority: str, remind_before: int, repeat: str | None) -> None:
    if priority not in PRIORITIES:
        raise InvalidInput(ErrorCode.BAD_PRIORITY)
    if remind_before not in REMIND_BEFORE:
        raise InvalidInput(ErrorCode.BAD_REMINDER)
    if repeat is not None and repeat not in REPEATS:
        raise InvalidInput(ErrorCode.BAD_REPEAT)
