"""A repeating task's next occurrence, made when the task is done (``Tasks.done``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm.recurrence import local_time, month_day, next_occurrence
from storage.models import Task, User


async def next_of(
    session: AsyncSession, task: Task, repeat: str, now: datetime, default_tz: str
) -> Task:
    """The occurrence after ``task`` (done at ``now``; ``repeat``: its repeat), on its
    assignee's wall clock: a new task like it, not added to the session, its reminders
    not set yet."""
    assignee = await session.get(User, task.assignee_id)
    tz = assignee.timezone if assignee else default_tz
    day = month_day(task.due_at, tz, task.repeat_day)
    at = local_time(task.due_at, tz, task.repeat_time)
    due_at = next_occurrence(task.due_at, repeat, tz, after=now, day=day, at=at)
    # The time of day is written only when this occurrence cannot show it (the clocks
    # skipped it): a member who moves to another time zone keeps the task's moment.
    shown = due_at.astimezone(ZoneInfo(tz)).time().replace(fold=0)
    return Task(
        title=task.title,
        due_at=due_at,
        priority=task.priority,
        repeat=repeat,
        repeat_day=day if repeat == "monthly" else None,
        repeat_time=at if shown != at else None,
        assignee_id=task.assignee_id,
        client_id=task.client_id,
        deal_id=task.deal_id,
        record_id=task.record_id,
        created_by=task.created_by,
        created_at=now,
    )
