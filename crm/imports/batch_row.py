"""An import's batch row: opened before its first card is written, closed with its counts.

Both imports (clients and deals, the team's records) keep one; undo reads it. An import
that stops on an error is closed all the same, marked ``interrupted`` in its counts and
with the counts of what it stored (its items: the chunk that failed was rolled back), so
what it stored can be undone. One cut off by a stop of the bot is closed so as well: by
its own clean-up when the stop cancels it, or, killed, once its heartbeat is found to have
stopped (``sweep``, ``crm.imports.stale``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from crm.imports.plan import Policy
from crm.imports.stale import STALE, UNBEATEN, Beat
from storage.engine import write_transaction
from storage.models import Event, ImportBatch, ImportItem

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted"
STOPPED = "stopped"  # with INTERRUPTED: by a stop of the bot, not an error
# The counts an interrupted import's items give: (entity, action) → count key.
_STORED = {
    ("client", "created"): "created",
    ("record", "created"): "created",
    ("client", "updated"): "updated",
    ("record", "updated"): "updated",
    ("deal", "created"): "deals",
    ("link", "created"): "links",
}


async def open_batch(
    session: AsyncSession,
    actor_id: int,
    file_name: str,
    policy: Policy,
    mapping: list[str],
    now: datetime,
) -> int:
    """The new batch's id. The fields the import defines are its items ("field",
    "created": ``crm.imports.fields.new_fields``), which its undo takes back when no card
    holds a value of them any more."""
    async with write_transaction(session):
        batch = ImportBatch(
            file_name=file_name,
            created_by=actor_id,
            created_at=now,
            beat_at=now,
            policy=policy.value,
            mapping=list(mapping),
            counts={},
        )
        session.add(batch)
        await session.flush()
    return batch.id


@asynccontextmanager
async def opened(
    session: AsyncSession, clock: Clock, actor_id: int, file_name: str, policy: Policy
) -> AsyncIterator[int]:
    """A batch opened before the import defines its new fields and reads its rows, beating
    meanwhile: a bot killed then leaves a batch that names the fields, taken as interrupted
    once its beat is old, and its undo takes them back. One the work inside stops before
    it stored a row (``closing`` not entered) is deleted again, its fields taken back."""
    batch_id = await open_batch(session, actor_id, file_name, policy, [], clock.now())
    try:
        async with Beat(session, batch_id, clock).going():
            yield batch_id
    except BaseException:
        try:
            await _discard(session, batch_id)
        except Exception:
            log.exception("import #%s, stopped before its rows, was left open", batch_id)
        raise


async def rows_read(
    session: AsyncSession, batch_id: int, mapping: list[str], rejected: int
) -> None:
    """The batch's mapping (its new fields' ids in it) and the rows it rejects, once read:
    an import interrupted later still tells them (``_close``)."""
    async with write_transaction(session, savepoint=False):
        batch = await session.get(ImportBatch, batch_id)
        if batch is not None:
            batch.mapping, batch.counts = list(mapping), {"rejected": rejected}


async def _discard(session: AsyncSession, batch_id: int) -> None:
    """Delete the batch if it is still open and holds no item but fields."""
    async with write_transaction(session):
        rows = select(ImportItem.id).where(
            ImportItem.batch_id == batch_id, ImportItem.entity != "field"
        )
        if await _open(session, ImportBatch.id == batch_id) and not await session.scalar(rows):
            await session.execute(delete(ImportItem).where(ImportItem.batch_id == batch_id))
            await session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))


@asynccontextmanager
async def closing(
    session: AsyncSession, batch_id: int, counts: Callable[[], Mapping[str, int]], clock: Clock
) -> AsyncIterator[Beat]:
    """Close the batch when the work inside ends, or as interrupted when it stops (as
    ``STOPPED`` when the bot's stop cancels it). The work beats while it runs: each of its
    chunks through the ``Beat`` given (``crm.imports.stale``)."""
    interrupted, stopped = True, False
    beating = Beat(session, batch_id, clock)
    try:
        async with beating.going():
            yield beating
        interrupted = False
    except asyncio.CancelledError:
        stopped = True
        raise
    finally:
        await close_batch(session, batch_id, counts(), clock.now(), interrupted, stopped)


async def close_batch(
    session: AsyncSession,
    batch_id: int,
    counts: Mapping[str, int],
    now: datetime,
    interrupted: bool = False,
    stopped: bool = False,
) -> None:
    """The batch's counts, when it ended, and the last event it may have written; nothing
    if it is closed already (taken as interrupted while it ran: ``sweep``)."""
    async with write_transaction(session):
        batch = await _open(session, ImportBatch.id == batch_id)
        if batch is not None:
            await _close(session, batch, counts, now, interrupted, stopped)


async def sweep(session: AsyncSession, now: datetime) -> None:
    """Close as interrupted (``STOPPED``) every import still open whose beat is older than
    ``STALE``: its bot stopped without closing it (killed, crashed), so no instance runs it,
    and what it wrote can be undone. Checked again under the batch's lock, so an import
    that beat meanwhile goes on."""
    late = ImportBatch.finished_at.is_(None) & (
        (ImportBatch.beat_at < now - STALE)
        # Made by a bot before the beats (0035): during a rolling upgrade an older instance
        # may still be running it, never beating; no import runs for a day.
        | (ImportBatch.beat_at.is_(None) & (ImportBatch.created_at < now - UNBEATEN))
    )
    for batch_id in list(await session.scalars(select(ImportBatch.id).where(late))):
        async with write_transaction(session):
            batch = await _open(session, (ImportBatch.id == batch_id) & late)
            if batch is not None:
                log.warning("import #%s: its bot stopped; closed as interrupted", batch_id)
                await _close(session, batch, {}, now, interrupted=True, stopped=True)


async def _open(session: AsyncSession, where: ColumnElement[bool]) -> ImportBatch | None:
    """The batch ``where`` names, locked, if it is still open."""
    query = select(ImportBatch).where(where, ImportBatch.finished_at.is_(None)).with_for_update()
    return await session.scalar(query.execution_options(populate_existing=True))


async def _close(
    session: AsyncSession,
    batch: ImportBatch,
    counts: Mapping[str, int],
    now: datetime,
    interrupted: bool,
    stopped: bool,
) -> None:
    kept = dict(batch.counts or {}) | dict(counts)  # the rows it rejected (``rows_read``)
    if interrupted:
        kept |= {key: 0 for key in _STORED.values()} | {INTERRUPTED: 1}
        kept |= {STOPPED: 1} if stopped else {}
        stored = await session.execute(
            select(ImportItem.entity, ImportItem.action, func.count())
            .where(ImportItem.batch_id == batch.id)
            .group_by(ImportItem.entity, ImportItem.action)
        )
        for entity, action, count in stored:
            if key := _STORED.get((entity, action)):
                kept[key] += count
    batch.counts = kept
    batch.finished_at = now
    batch.last_event_id = await session.scalar(select(func.max(Event.id)))
