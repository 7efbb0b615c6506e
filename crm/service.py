"""The CRM as one object per database session, handed to every handler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.clock import Clock
from crm.config import CrmConfig
from crm.invites import Invites
from crm.members import Members
from crm.outbox import Outbox


class Crm:
    def __init__(self, session: AsyncSession, clock: Clock, config: CrmConfig) -> None:
        self.clock = clock
        self.config = config
        self.members = Members(session, clock, config)
        self.invites = Invites(session, clock, config)
        self.outbox = Outbox(session, clock)


class CrmFactory:
    """Opens a database session and the CRM on it; one per update or per job."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, config: CrmConfig
    ) -> None:
        self._sessions = sessions
        self.clock = clock
        self.config = config

    @asynccontextmanager
    async def open(self) -> AsyncIterator[Crm]:
        async with self._sessions() as session:
            yield Crm(session, self.clock, self.config)
