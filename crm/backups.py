"""The owner's backup from the bot: the whole base as one archive (see ``storage.backup``)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm.clock import Clock
from crm.errors import NotAllowed
from storage.backup import backup
from storage.models import Role, User


@dataclass(frozen=True)
class BackupFile:
    name: str
    data: bytes
    rows: int


class Backups:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def make(self, actor: User) -> BackupFile:
        """A consistent snapshot taken on its own connection while the bot keeps working."""
        if not (actor.active and actor.role == Role.OWNER):
            raise NotAllowed()
        engine = self._session.bind
        assert isinstance(engine, AsyncEngine)
        buffer = io.BytesIO()
        now = self._clock.now()
        manifest = await backup(engine, buffer, now)
        name = f"kartoteka-{now:%Y-%m-%d-%H%M}.zip"
        return BackupFile(name, buffer.getvalue(), sum(manifest.counts().values()))
