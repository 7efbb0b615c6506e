"""Writing the event log: one row per change, in the change's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from storage.models import Event


def record(
    session: AsyncSession,
    clock: Clock,
    kind: str,
    actor_id: int | None,
    *,
    client_id: int | None = None,
    deal_id: int | None = None,
    task_id: int | None = None,
    record_id: int | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    event = Event(
        occurred_at=clock.now(),
        actor_id=actor_id,
        kind=kind,
        client_id=client_id,
        deal_id=deal_id,
        task_id=task_id,
        record_id=record_id,
        text=text,
        data=data or {},
    )
    session.add(event)
    return event
