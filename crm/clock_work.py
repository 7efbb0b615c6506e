"""What the clock has to do now, found by one read.

The scheduler ticks every second, and almost every tick finds nothing due. Each
job (reminders, the group chat's overdue list, automation, the outbox) says in
an SQL expression whether it has work; the tick asks all of them in one
``SELECT`` and runs only the jobs that answered yes. An idle tick is that one
read (and, while a digest may still be due today, the readers' list): no write
transaction, a couple of statements instead of eight.

The ``SELECT`` is built once per process (``ClockRead``, kept by ``CrmFactory``)
with the tick's moments as bind parameters: building its expression afresh took
about a third of an idle tick's CPU. It runs on a connection of its own, without
``BEGIN`` on SQLite (``storage.engine.read_row``): the tick's session takes no
connection unless a job has work (or the team's settings copy, read for the
nightly backup's plan, is older than its few seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm.automation.manage import Automation
from crm.clock import Before, Clock
from crm.groups import Groups
from crm.outbox import Outbox
from crm.reminders import Reminders
from storage.engine import read_row


@dataclass(frozen=True)
class DueWork:
    reminders: bool
    group_overdue: bool
    automation: bool
    outbox: bool


DueRead = Select[bool, bool, bool, bool]


class Moments:
    """Moments before the tick's now as bind parameters, and their values at a tick."""

    def __init__(self) -> None:
        self._names: dict[timedelta, str] = {}

    def __call__(self, offset: timedelta) -> BindParameter[datetime]:
        name = self._names.setdefault(offset, f"moment_{len(self._names)}")
        return bindparam(name)  # typed by the column it is compared with

    def values(self, now: datetime) -> dict[str, datetime]:
        return {name: now - offset for offset, name in self._names.items()}


class ClockRead:
    """The tick's one read, built by the first tick and kept for the process's life."""

    def __init__(self) -> None:
        self.built: tuple[DueRead, Moments] | None = None


class ClockWork:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        reminders: Reminders,
        groups: Groups,
        automation: Automation,
        outbox: Outbox,
        read: ClockRead | None = None,
    ) -> None:
        self._session = session
        self._clock = clock
        self._reminders = reminders
        self._groups = groups
        self._automation = automation
        self._outbox = outbox
        self._read = read if read is not None else ClockRead()

    async def due(self) -> DueWork:
        if self._read.built is None:
            self._read.built = self._build()
        statement, moments = self._read.built
        engine = self._session.bind
        if not isinstance(engine, AsyncEngine):  # CrmFactory's sessions always are
            raise TypeError("the clock's read needs a session bound to an engine")
        row = await read_row(engine, statement, moments.values(self._clock.now()))
        return DueWork(*(bool(value) for value in row))

    def _build(self) -> tuple[DueRead, Moments]:
        moments = Moments()
        at: Before = moments
        statement = select(
            self._reminders.due_now(at),
            self._groups.overdue_now(at),
            self._automation.due_now(at),
            self._outbox.due_now(at),
        )
        return statement, moments
