"""An import's batch row: opened before its first card is written, closed with its counts.

Both imports (clients and deals, the team's records) keep one; undo reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.imports.plan import Policy
from storage.engine import write_transaction
from storage.models import Event, ImportBatch


async def open_batch(
    session: AsyncSession,
    actor_id: int,
    file_name: str,
    policy: Policy,
    mapping: list[str],
    now: datetime,
) -> int:
    """The new batch's id."""
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
    return batch.id


async def close_batch(
    session: AsyncSession, batch_id: int, counts: Mapping[str, int], now: datetime
) -> None:
    """The batch's counts, when it ended, and the last event it may have written."""
    async with write_transaction(session):
        batch = await session.get(ImportBatch, batch_id)
        assert batch is not None
        batch.counts = dict(counts)
        batch.finished_at = now
        batch.last_event_id = await session.scalar(select(func.max(Event.id)))
