"""The reminders a member missed while their access was off, told once when it is back.

A deactivated member is refused like a stranger: the reminders of the tasks they still
hold are claimed at their time and nothing is queued (``crm.reminders``). Turned back
on, they hear of them once, with the notice that their access is back: the tasks whose
reminder fell due while they were off, as they are when it is sent (one done or given
to someone else meanwhile is left out). Not one message per task: a long absence
would bury the member under them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.events import EventKind
from storage.models import Event, Task

# The tasks named in the notice's payload: more than it ever shows (it says how many).
MAX_MISSED = 200


async def fell_due_while_off(session: AsyncSession, member_id: int, now: datetime) -> list[int]:
    """The open tasks of ``member_id`` whose reminder fell due since they were last
    turned off: claimed since, so it was not sent and will not be; by reminder time."""
    off = await session.scalar(
        select(Event.occurred_at)
        .where(
            Event.kind == EventKind.MEMBER_DEACTIVATED,
            Event.data["member_id"].as_integer() == member_id,
        )
        .order_by(Event.id.desc())
        .limit(1)
    )
    if off is None:
        return []  # never turned off through the bot: nothing to say when
    found = await session.scalars(
        select(Task.id)
        .where(
            Task.assignee_id == member_id,
            Task.done_at.is_(None),
            Task.reminded_at > off,  # claimed (and not sent) since
            Task.remind_at <= now,
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
