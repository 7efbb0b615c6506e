"""What the clock has to do now, found by one read.

The scheduler ticks every second, and almost every tick finds nothing due. Each
job (reminders, the group chat's overdue list, automation, the outbox) says in
an SQL expression whether it has work; the tick asks all of them in one
``SELECT`` and runs only the jobs that answered yes. An idle tick is that one
read (and, while a digest may still be due today, the readers' list): no write
transaction, a couple of statements instead of eight.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.automation.manage import Automation
from crm.clock import Clock
from crm.groups import Groups
from crm.outbox import Outbox
from crm.reminders import Reminders


@dataclass(frozen=True)
class DueWork:
    reminders: bool
    group_overdue: bool
    automation: bool
    outbox: bool


class ClockWork:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        reminders: Reminders,
        groups: Groups,
        automation: Automation,
        outbox: Outbox,
    ) -> None:
        self._session = session
        self._clock = clock
        self._reminders = reminders
        self._groups = groups
        self._automation = automation
        self._outbox = outbox

    async def due(self) -> DueWork:
        now = self._clock.now()
        row = (
            await self._session.execute(
                select(
                    self._reminders.due_now(now),
                    self._groups.overdue_now(now),
                    self._automation.due_now(now),
                    self._outbox.due_now(now),
                )
            )
        ).one()
        return DueWork(*(bool(value) for value in row))
