"""A running import's heartbeat, by which a batch left open by a stopped bot is told apart.

An import closes its batch as it ends (``crm.imports.batch_row.closing``), but a bot killed
mid-way (a crash, the power gone) never gets there, and its batch would stay "running" for
ever, never undone. So a running import writes the batch's ``beat_at`` in each chunk's own
transaction, before its rows and after them, and every ``BEAT`` while it waits between
chunks; a batch still open whose beat is older than ``STALE`` is one no instance runs any
more, and is closed as interrupted by whoever reads it (``batch_row.sweep``), on any instance.

A chunk's beat is also its check that the batch is still open: one found closed (its
import was taken for dead, its beat having come too late) stops the import before the
chunk writes anything (``Swept``), so the batch's items stay all it wrote.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from crm.imports.paced import Write
from storage.engine import write_transaction
from storage.models import ImportBatch

log = logging.getLogger(__name__)

BEAT = timedelta(seconds=30)  # between the beats of an import waiting between chunks
STALE = timedelta(minutes=3)  # a beat this old: the import's bot has stopped
UNBEATEN = timedelta(days=1)  # an open batch of before the beats (0035) this old: stopped


class Swept(Exception):
    """The import's batch was closed as interrupted while it ran: it stops."""


async def beat(session: AsyncSession, batch_id: int, now: datetime) -> None:
    """The batch's beat, in the session's write transaction; ``Swept`` if it is closed."""
    alive = await session.scalar(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.finished_at.is_(None))
        .values(beat_at=now)
        .returning(ImportBatch.id)
        .execution_options(synchronize_session=False)
    )
    if alive is None:
        raise Swept(f"import #{batch_id} was taken as interrupted while it ran")


class Beat:
    """The heartbeat of one running import."""

    def __init__(self, session: AsyncSession, batch_id: int, clock: Clock) -> None:
        self._session = session
        self._batch_id = batch_id
        self._clock = clock

    def guarded(self, write: Write) -> Write:
        """``write``, each chunk beating first and last (in the chunk's transaction): a
        chunk slower than ``STALE`` is not taken for dead as it ends, its start its last
        beat (the beats between chunks wait for its lock meanwhile)."""

        async def chunk(indexes: range) -> None:
            await beat(self._session, self._batch_id, self._clock.now())
            await write(indexes)
            await beat(self._session, self._batch_id, self._clock.now())

        return chunk

    @asynccontextmanager
    async def going(self) -> AsyncIterator[None]:
        """Beat every ``BEAT`` in a session of its own while the block runs."""
        task = asyncio.create_task(self._beating())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _beating(self) -> None:
        async with AsyncSession(self._session.bind) as own:
            while True:
                await asyncio.sleep(BEAT.total_seconds())
                try:
                    async with write_transaction(own, savepoint=False):
                        await beat(own, self._batch_id, self._clock.now())
                except Swept:
                    return  # its next chunk stops the import
                except Exception as error:  # the chunks beat too
                    log.warning("import #%s: a beat failed: %r", self._batch_id, error)
