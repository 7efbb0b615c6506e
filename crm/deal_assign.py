"""Giving a deal to a manager: only one who can see its client, and they are told.

A manager who does not see the client (the owner's client, with "managers see all" off) would
hold a deal they cannot find while their report counts it. Such an assignment is refused with
the client's name and its responsible, so the owner can first give the client (or free it).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from crm import outbox
from crm.clients import Clients
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, NotFound
from storage.models import Deal, User


async def give(
    session: AsyncSession, clients: Clients, clock: Clock, deal: Deal, to: User, actor: User
) -> None:
    """Check that ``to`` may hold the deal, then queue their "deal_assigned" notice."""
    await refuse_unseen(session, clients, to, deal)
    if to.id == actor.id:
        return
    now = clock.now()
    await outbox.enqueue(
        session,
        chat_id=to.id,
        kind=outbox.OutboxKind.DEAL_ASSIGNED,
        payload={"deal_id": deal.id, "by": actor.id},
        dedupe_key=f"deal:{deal.id}:assigned:{to.id}:{now:%Y%m%dT%H%M%S}",
        now=now,
    )


async def refuse_unseen(session: AsyncSession, clients: Clients, manager: User, deal: Deal) -> None:
    """Conflict ``client_not_visible`` unless ``manager`` sees the deal's client."""
    try:
        await clients.visible(manager, deal.client_id)
    except NotFound:
        client = await clients.visible_unchecked(deal.client_id)
        if client is None:
            raise
        responsible = (
            None if client.manager_id is None else await session.get(User, client.manager_id)
        )
        raise Conflict(
            ErrorCode.CLIENT_NOT_VISIBLE,
            client=client.name,
            member=manager.full_name,
            responsible=responsible.full_name if responsible is not None else "",
        ) from None
