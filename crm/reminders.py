"""Claiming what is due: reminders, earlier reminders and nudges, into the outbox.

Each claim marks the task and writes its outbox row in one transaction, under
a unique key (task, kind, moment), so a reminder is never sent twice: not by
two processes (PostgreSQL hands each row to one of them with SKIP LOCKED, and
the key stops anything that slips through), not after a restart. What fell
due while the bot was down is claimed on the first tick after it comes back;
the nudge comes ``nudge_after`` past the due time, the reminder's moment (moved by
a snooze) and its claim alike, so a bot back after an hour sends the reminder, and
the nudge an hour on; a reminder snoozed till tomorrow is nudged an hour after tomorrow's,
and one snoozed after its nudge is nudged again an hour after the snoozed reminder.
A member who blocked the bot is not written to: their due tasks are marked
as claimed and nothing is queued, until they write to the bot again. Nor is a
deactivated member (refused like a stranger): the tasks they were left holding
are marked too, and shown as theirs, deactivated, wherever tasks are listed, for
owners and admins to give to someone else; turned back on, the member hears of those
still theirs once, with the notice that their access is back (``crm.missed_reminders``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import ReturningUpdate

from crm.clock import Before, Clock, before
from crm.config import CrmConfig
from crm.outbox import TASK_REMINDERS, OutboxKind
from storage.engine import write_transaction
from storage.insert_or_nothing import insert_or_nothing
from storage.models import OutboxMessage, Task, User

T = TypeVar("T")


KINDS = TASK_REMINDERS
# When each kind falls due, and the column that says it was claimed.
_MOMENT = {
    OutboxKind.TASK_REMINDER: "remind_at",
    OutboxKind.TASK_EARLY: "early_at",
    OutboxKind.TASK_NUDGE: "due_at",
}
# The moment in a claim's outbox key: a nudge's is the reminder's it follows, so a task
# snoozed after its nudge (which clears ``nudged_at``) is nudged again after the new one.
_KEY_MOMENT = {**_MOMENT, OutboxKind.TASK_NUDGE: "remind_at"}
_CLAIMED_AT = {
    OutboxKind.TASK_REMINDER: "reminded_at",
    OutboxKind.TASK_EARLY: "early_reminded_at",
    OutboxKind.TASK_NUDGE: "nudged_at",
}
# Ids per statement: well under the bound-parameter limits of SQLite and asyncpg.
CHUNK = 2000


@dataclass(frozen=True)
class _Due:
    task_id: int
    chat_id: int
    moment: datetime


def _key(task_id: int, kind: OutboxKind, moment: datetime) -> str:
    return f"task:{task_id}:{kind}:{moment.strftime('%Y%m%dT%H%M%S')}"


def _interleaved(rows: list[_Due]) -> list[_Due]:
    """Within each minute, spread each member's reminders evenly through the queue.

    Twenty tasks of one manager at 10:00 would otherwise sit together in the
    outbox, and one chat may only get a message a second: the sender would
    spend its slots waiting on that chat, and the busiest members' last
    reminders would trail behind everyone else's. Earlier minutes come first.
    """
    per_chat = Counter((_minute(row), row.chat_id) for row in rows)
    seen: Counter[tuple[datetime, int]] = Counter()
    ranked = []
    for position, row in enumerate(rows):
        key = (_minute(row), row.chat_id)
        share = (seen[key] + 0.5) / per_chat[key]
        seen[key] += 1
        ranked.append((key[0], share, position, row))
    ranked.sort(key=lambda item: item[:3])
    return [row for *_, row in ranked]


def _minute(row: _Due) -> datetime:
    return row.moment.replace(second=0, microsecond=0)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def follow_assignee(
    session: AsyncSession, old: int, new: int, task_id: int | None = None
) -> None:
    """Reminders queued for ``old`` and not sent yet go to ``new``: those of ``task_id``
    (given to ``new``), or all of them (``old``'s open tasks handed over).

    The sender renders a task's reminder only for its assignee as it is then: one
    queued before the task changed hands (waiting out a 429, say) was given up, and
    nobody was reminded. Its row, key and all, now follows the task: sent once, to
    whoever holds the task when it goes out.
    """
    rows = update(OutboxMessage).where(
        OutboxMessage.chat_id == old,
        OutboxMessage.kind.in_(KINDS),
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
    )
    if task_id is not None:
        rows = rows.where(OutboxMessage.payload["task_id"].as_integer() == task_id)
    await session.execute(
        rows.values(chat_id=new), execution_options={"synchronize_session": False}
    )


class Reminders:
    def __init__(self, session: AsyncSession, clock: Clock, config: CrmConfig) -> None:
        self._session = session
        self._clock = clock
        self._config = config

    async def claim_due(self, limit: int = 1000, checked: bool = False) -> int:
        """Move due reminders and nudges into the outbox; returns how many were queued.

        At most ``limit`` tasks are claimed per call. Set-based, so claiming
        thousands at once stays fast: per kind one UPDATE picks the due tasks
        (locking them, and skipping those another process holds), marks them and
        returns them, and one multi-row INSERT queues their messages. A member
        who blocked the bot or was deactivated gets nothing: the tasks are marked,
        nothing is queued.
        """
        now = self._clock.now()
        if not checked and not await self._session.scalar(select(self.due_now(before(now)))):
            return 0  # the idle tick: one read, no write transaction
        taken = queued = 0
        unwritten: set[int] | None = None  # blocked the bot, or deactivated
        async with write_transaction(self._session):
            for kind in KINDS:
                if taken >= limit:
                    break
                claimed = await self._session.execute(
                    self._claim(kind, now, limit - taken),
                    execution_options={"synchronize_session": False},
                )
                rows = sorted(
                    (_Due(task_id, chat_id, moment) for task_id, chat_id, moment in claimed),
                    key=lambda row: (row.moment, row.task_id),
                )
                if not rows:
                    continue
                taken += len(rows)
                if kind == OutboxKind.TASK_REMINDER:
                    await self._moot_early([row.task_id for row in rows], now)
                if unwritten is None:
                    unwritten = set(
                        await self._session.scalars(
                            select(User.id).where(
                                or_(User.unreachable_at.is_not(None), User.active.is_(False))
                            )
                        )
                    )
                reachable = [row for row in rows if row.chat_id not in unwritten]
                queued += await self._enqueue(kind, _interleaved(reachable), now)
        return queued

    def due_now(self, at: Before) -> ColumnElement[bool]:
        """Whether any kind has a task due: one indexed read per kind, in one expression."""
        return or_(*(exists(self._due(kind, at, Task)) for kind in KINDS))

    def _due(self, kind: OutboxKind, at: Before, task: Any) -> Select[tuple[int]]:
        """The tasks of ``kind`` due ``at`` the tick and not claimed yet (``task``: an alias)."""
        moment = getattr(task, _MOMENT[kind])
        nudge = kind == OutboxKind.TASK_NUDGE
        until = at(self._config.nudge_after if nudge else timedelta(0))
        found = select(task.id).where(
            task.done_at.is_(None), getattr(task, _CLAIMED_AT[kind]).is_(None), moment <= until
        )
        if nudge:
            # As long after the reminder's moment (a snooze moves it: "tomorrow" puts the nudge
            # off till an hour after tomorrow's reminder) and after its claim: not both at
            # once after the bot was down.
            found = found.where(
                task.remind_at <= until,
                or_(task.reminded_at.is_(None), task.reminded_at <= until),
            )
        return found

    def _claim(
        self, kind: OutboxKind, now: datetime, limit: int
    ) -> ReturningUpdate[int, int, datetime]:
        """UPDATE the first ``limit`` due tasks of ``kind`` as claimed, RETURNING them."""
        due = aliased(Task)
        chosen = (
            self._due(kind, before(now), due)
            .order_by(getattr(due, _MOMENT[kind]), due.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (
            update(Task)
            .where(Task.id.in_(chosen))
            .values({_CLAIMED_AT[kind]: now})
            .returning(Task.id, Task.assignee_id, getattr(Task, _KEY_MOMENT[kind]))
        )

    async def _moot_early(self, task_ids: list[int], now: datetime) -> None:
        """The main reminder is here: an earlier one not sent yet is moot."""
        for chunk in _chunks(task_ids, CHUNK):
            await self._session.execute(
                update(Task)
                .where(
                    Task.id.in_(chunk),
                    Task.early_at.is_not(None),
                    Task.early_reminded_at.is_(None),
                )
                .values(early_reminded_at=now),
                execution_options={"synchronize_session": False},
            )

    async def _enqueue(self, kind: OutboxKind, rows: list[_Due], now: datetime) -> int:
        """Outbox rows for ``rows``, in that order; returns how many were new.

        One statement with a list of parameters: SQLAlchemy sends it as a few
        multi-row INSERTs ("insertmanyvalues"), compiled once, where building a
        VALUES clause of thousands of rows by hand costs seconds of compiling.
        """
        if not rows:
            return 0
        connection = await self._session.connection()
        statement = insert_or_nothing(self._session, OutboxMessage, "dedupe_key").returning(
            OutboxMessage.id
        )
        values = [
            {
                "dedupe_key": _key(row.task_id, kind, row.moment),
                "chat_id": row.chat_id,
                "kind": kind,
                "payload": {"task_id": row.task_id},
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
            }
            for row in rows
        ]
        result = await connection.execute(statement, values)
        return len(result.all())
