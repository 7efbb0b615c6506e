"""The reminders a member missed while their access was off, or while they had blocked
the bot, told once when it is back.

A deactivated member is refused like a stranger, and a member who blocked the bot cannot
be written to: the reminders of the tasks they still hold are claimed at their time and
nothing is queued (``crm.reminders``), and what was queued for them is failed
(``crm.outbox.Outbox.mark_unreachable``; a deactivated member's when it is rendered).
Turned back on, they hear of them once, with the notice that their access is back; writing
to the bot again, in a notice of their own (``OutboxKind.MISSED_REMINDERS``): the tasks
whose reminder fell due meanwhile, as they are when it is sent (one done or given to
someone else meanwhile is left out); accepting a new invitation, with what they missed since
they were turned off or blocked the bot, whichever came first (``crm.invites``). A task's
reminder is any of its reminders: the main one, the one before it (``remind_before``) and
the nudge after it. Not one message per task, nor per reminder: a long absence would bury
the member under them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.events import EventKind
from crm.outbox import TASK_REMINDERS
from storage.models import Event, OutboxMessage, Task, User

# The tasks named in the notice's payload: more than it ever shows (it says how many).
MAX_MISSED = 200


async def fell_due_while_off(session: AsyncSession, member_id: int, now: datetime) -> list[int]:
    """The open tasks of ``member_id`` whose reminder fell due since they were last
    turned off, by reminder time."""
    off = await turned_off_at(session, member_id)
    if off is None:
        return []  # never turned off through the bot: nothing to say when
    return await fell_due_since(session, member_id, off, now)


async def fell_due_while_away(session: AsyncSession, member: User, now: datetime) -> list[int]:
    """For ``member`` coming back by a new invitation: the open tasks whose reminder fell
    due since they were turned off or blocked the bot, whichever came first."""
    moments = [await turned_off_at(session, member.id), member.unreachable_at]
    since = min((moment for moment in moments if moment is not None), default=None)
    if since is None:
        return []
    return await fell_due_since(session, member.id, since, now)


async def turned_off_at(session: AsyncSession, member_id: int) -> datetime | None:
    """When ``member_id`` was last turned off through the bot."""
    return await session.scalar(
        select(Event.occurred_at)
        .where(
            Event.kind == EventKind.MEMBER_DEACTIVATED,
            Event.data["member_id"].as_integer() == member_id,
        )
        .order_by(Event.id.desc())
        .limit(1)
    )


async def fell_due_since(
    session: AsyncSession, member_id: int, since: datetime, now: datetime
) -> list[int]:
    """The open tasks of ``member_id`` one of whose reminders (the main one, the one before
    it, the nudge) fell due and was not sent since ``since``: claimed since (so nothing was
    queued, nor will be), or queued and failed since (not sent: dropped when the bot could not
    write to them); by reminder time."""
    failed = select(OutboxMessage.payload["task_id"].as_integer()).where(
        OutboxMessage.chat_id == member_id,
        OutboxMessage.kind.in_(TASK_REMINDERS),
        OutboxMessage.failed_at >= since,
        OutboxMessage.sent_at.is_(None),
    )
    found = await session.scalars(
        select(Task.id)
        .where(
            Task.assignee_id == member_id,
            Task.done_at.is_(None),
            or_(
                Task.reminded_at > since,
                and_(Task.early_reminded_at > since, Task.early_at <= Task.early_reminded_at),
                Task.nudged_at > since,
                Task.id.in_(failed),
            ),
        )
        .order_by(Task.remind_at, Task.id)
        .limit(MAX_MISSED)
    )
    return list(found)


class MissedReminders:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def still_theirs(self, member_id: int, task_ids: Sequence[int]) -> list[Task]:
        """Of ``task_ids``, those still open and still ``member_id``'s, by due time."""
        if not task_ids:
            return []
        found = await self._session.scalars(
            select(Task)
            .where(
                Task.id.in_(task_ids[:MAX_MISSED]),
                Task.assignee_id == member_id,
                Task.done_at.is_(None),
            )
            .order_by(Task.due_at, Task.id)
        )
        return list(found)
