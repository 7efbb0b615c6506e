"""An import's batch row: opened before its first card is written, closed with its counts.

Both imports (clients and deals, the team's records) keep one; undo reads it. An import
that stops on an error is closed all the same, marked ``interrupted`` in its counts and
with the counts of what it stored (its items: the chunk that failed was rolled back), so
what it stored can be undone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from crm.imports.plan import Policy
from storage.engine import write_transaction
from storage.models import Event, ImportBatch, ImportItem

INTERRUPTED = "interrupted"
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
    fields: Sequence[int] = (),
) -> int:
    """The new batch's id; ``fields``: those defined for it (items "field", "created"),
    which its undo takes back when no card holds a value of them any more."""
    async with write_transaction(session):
        batch = ImportBatch(
            file_name=file_name,
            created_by=actor_id,
            created_at=now,
            policy=policy.value,
            mapping=list(mapping),
            counts={},
        )
        session.add(batch)
        await session.flush()
        session.add_all(
            ImportItem(batch_id=batch.id, entity="field", record_id=field_id, action="created")
            for field_id in fields
        )
    return batch.id


@asynccontextmanager
async def closing(
    session: AsyncSession, batch_id: int, counts: Callable[[], Mapping[str, int]], clock: Clock
) -> AsyncIterator[None]:
    """Close the batch when the work inside ends, or as interrupted when it stops."""
    interrupted = True
    try:
        yield
        interrupted = False
    finally:
        await close_batch(session, batch_id, counts(), clock.now(), interrupted)


async def close_batch(
    session: AsyncSession,
    batch_id: int,
    counts: Mapping[str, int],
    now: datetime,
    interrupted: bool = False,
) -> None:
    """The batch's counts, when it ended, and the last event it may have written."""
    async with write_transaction(session):
        batch = await session.get(ImportBatch, batch_id)
        assert batch is not None
        kept = dict(counts)
        if interrupted:
            kept |= {key: 0 for key in _STORED.values()} | {INTERRUPTED: 1}
            stored = await session.execute(
                select(ImportItem.entity, ImportItem.action, func.count())
                .where(ImportItem.batch_id == batch_id)
                .group_by(ImportItem.entity, ImportItem.action)
            )
            for entity, action, count in stored:
                if key := _STORED.get((entity, action)):
                    kept[key] += count
        batch.counts = kept
        batch.finished_at = now
        batch.last_event_id = await session.scalar(select(func.max(Event.id)))
