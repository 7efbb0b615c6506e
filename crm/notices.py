"""Telling a member about a change someone else made to what is theirs (issue 10, item 15).

Each notice is an outbox row written in the change's own transaction; ``reminders.render``
turns it into words from the data as it is when sent. Nobody is told about their own action.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm import outbox
from crm.clock import Clock
from crm.outbox import OutboxKind
from storage.models import Client, Record, Task, User


async def tell(
    session: AsyncSession,
    clock: Clock,
    kind: OutboxKind,
    to: int | None,
    actor_id: int | None,
    payload: dict[str, Any],
    shown: dict[str, Any] | None = None,
) -> None:
    """Queue ``kind`` for member ``to`` unless there is nobody to tell or it is the actor
    (None: an automation rule's change, told to ``to`` always).
    ``shown`` is more of the payload (what is gone by the time it is sent), not in the key."""
    if to is None or to == actor_id:
        return
    now = clock.now()
    key = ":".join(f"{name}={value}" for name, value in sorted(payload.items()))
    await outbox.enqueue(
        session,
        chat_id=to,
        kind=kind,
        payload={**payload, **(shown or {}), "by": actor_id},
        dedupe_key=f"{kind}:{to}:{key}:{now:%Y%m%dT%H%M%S%f}",
        now=now,
    )


async def task_done(session: AsyncSession, clock: Clock, task: Task, actor_id: int) -> None:
    """A task someone else set was done: its setter is told."""
    await tell(
        session, clock, OutboxKind.TASK_DONE, task.created_by, actor_id, {"task_id": task.id}
    )


async def task_cancelled(session: AsyncSession, clock: Clock, task: Task, actor_id: int) -> None:
    """A task cancelled by someone else: its assignee is told; cancelled by its assignee, the
    one who set it is. The task is gone by then, so its title goes with the notice."""
    to = task.created_by if task.assignee_id == actor_id else task.assignee_id
    shown = {"title": task.title}
    await tell(session, clock, OutboxKind.TASK_CANCELLED, to, actor_id, {"task_id": task.id}, shown)


async def client_assigned(session: AsyncSession, clock: Clock, client: Client, by: int) -> None:
    await tell(
        session, clock, OutboxKind.CLIENT_ASSIGNED, client.manager_id, by, {"client_id": client.id}
    )


async def record_assigned(session: AsyncSession, clock: Clock, record: Record, by: int) -> None:
    """A record's new responsible is told, as a client's is (``client_assigned``)."""
    await tell(
        session, clock, OutboxKind.RECORD_ASSIGNED, record.manager_id, by, {"record_id": record.id}
    )


async def client_deleted(session: AsyncSession, clock: Clock, client: Client, by: int) -> None:
    # The name (up to 200 characters) is shown, not keyed: the key is at most 200 long.
    shown = {"name": client.name}
    await tell(
        session,
        clock,
        OutboxKind.CLIENT_DELETED,
        client.manager_id,
        by,
        {"client_id": client.id},
        shown,
    )


async def member_changed(
    session: AsyncSession,
    clock: Clock,
    member: User,
    by: int,
    active: bool | None = None,
    missed: list[int] | None = None,
) -> None:
    """``member`` is told their new role (``active`` None), or that their access was turned
    off or back on (with the tasks whose reminders they ``missed`` meanwhile), in their
    language when it is sent."""
    if active is None:
        await tell(session, clock, OutboxKind.ROLE_CHANGED, member.id, by, {"role": member.role})
    else:
        shown = {"missed": missed} if missed else None
        kind = OutboxKind.ACCESS_CHANGED
        await tell(session, clock, kind, member.id, by, {"active": active}, shown)
