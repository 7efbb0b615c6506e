"""/tasks: a member's (or everyone's) tasks by section, counted whole and read a page at a time.

The open tasks, soonest first, fall into overdue, today, the next 7 days and later by their
due time alone, so those four are one run of ``due_at``; the ones done in the last week
follow, the latest first. One statement counts every section, and the page reads only the
tasks it shows (a section of 35 overdue tasks says 35, and its last ones are on a page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff
from crm.clock import Clock
from crm.errors import NotAllowed
from storage.models import Task, User

DONE_DAYS = 7  # "done recently": in the last week


class Section(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"  # the next 7 days after today
    LATER = "later"
    DONE = "done"


@dataclass(frozen=True)
class TaskPage:
    counts: dict[Section, int]  # every section, in order, zero included
    items: list[tuple[Section, Task]]  # the page's, in the list's order
    page: int  # the page read (the last one when a later one was asked for)
    pages: int


@dataclass(frozen=True)
class _Bounds:
    now: datetime
    day_end: datetime
    week_end: datetime

    def section(self, task: Task) -> Section:
        if task.done_at is not None:
            return Section.DONE
        if task.due_at < self.now:
            return Section.OVERDUE
        if task.due_at < self.day_end:
            return Section.TODAY
        return Section.WEEK if task.due_at < self.week_end else Section.LATER

    def conditions(self) -> dict[Section, ColumnElement[bool]]:
        open_ = Task.done_at.is_(None)
        return {
            Section.OVERDUE: open_ & (Task.due_at < self.now),
            Section.TODAY: open_ & (Task.due_at >= self.now) & (Task.due_at < self.day_end),
            Section.WEEK: open_ & (Task.due_at >= self.day_end) & (Task.due_at < self.week_end),
            Section.LATER: open_ & (Task.due_at >= self.week_end),
            Section.DONE: Task.done_at >= self.now - timedelta(days=DONE_DAYS),
        }


class TaskLists:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def page(
        self, actor: User, member_id: int | None, day_start: datetime, page: int, size: int
    ) -> TaskPage:
        """The ``page``-th ``size`` tasks (0: from the first overdue one). ``member_id`` None:
        everyone's; others' lists are for owners and admins. ``day_start`` is the reader's
        local midnight in their zone: a day after it is their next midnight (23 or 25 hours
        when the clocks move), not 24 hours."""
        if member_id != actor.id and not is_staff(actor):
            raise NotAllowed()
        now = self._clock.now()
        bounds = _Bounds(now, day_start + timedelta(days=1), day_start + timedelta(days=8))
        conditions = bounds.conditions()
        mine = [] if member_id is None else [Task.assignee_id == member_id]
        counted = select(*(func.count(case((c, 1))) for c in conditions.values())).where(*mine)
        row = (await self._session.execute(counted)).one()
        counts = {section: int(n or 0) for section, n in zip(conditions, row, strict=True)}
        open_count = counts[Section.OVERDUE] + counts[Section.TODAY]
        open_count += counts[Section.WEEK] + counts[Section.LATER]
        pages = max(1, -(-sum(counts.values()) // size))
        page = min(max(page, 0), pages - 1)
        first = page * size
        tasks: list[Task] = []
        if first < open_count:
            tasks += await self._session.scalars(
                select(Task)
                .where(*mine, Task.done_at.is_(None))
                .order_by(Task.due_at, Task.id)
                .offset(first)
                .limit(size)
            )
        if len(tasks) < size and counts[Section.DONE]:
            tasks += await self._session.scalars(
                select(Task)
                .where(*mine, conditions[Section.DONE])
                .order_by(Task.done_at.desc(), Task.id.desc())
                .offset(max(first - open_count, 0))
                .limit(size - len(tasks))
            )
        return TaskPage(counts, [(bounds.section(task), task) for task in tasks], page, pages)
