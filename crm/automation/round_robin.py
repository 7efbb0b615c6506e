"""Round-robin: whose turn it is to take the card, and their notice.

A deal goes only to a member who can see its client (as ``crm.deal_assign`` refuses one
by hand): those who cannot are passed over for the next in turn. The new responsible is
told as one given the card by a person is (``crm.notices``); automation has no actor, so
they are always told when the card is newly theirs.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import notices, visibility
from crm.automation.conditions import Record
from crm.clock import Clock
from crm.outbox import OutboxKind
from crm.team_settings import TeamSettings
from storage.models import User


class NoOne(Exception):
    """No member of the round can take the card (the reason is the firing's)."""


async def choose(
    session: AsyncSession, record: Record, wanted: list[int], turn: int
) -> tuple[User, int]:
    """The active member of ``wanted`` whose turn it is and who would see the card, with
    the turn after theirs; NoOne when no one can take it."""
    found = await session.scalars(select(User).where(User.id.in_(wanted), User.active.is_(True)))
    active = {user.id: user for user in found}
    members = [active[m] for m in wanted if m in active]
    if not members:
        raise NoOne("no members")
    client = record.client if record.deal is not None else None
    see_all = client is not None and await TeamSettings(session).managers_see_all()
    for step in range(len(members)):
        member = members[(turn + step) % len(members)]
        if client is None or visibility.can_see_client(member, client, see_all):
            return member, turn + step + 1
    raise NoOne("no member sees the client")


async def give(session: AsyncSession, clock: Clock, record: Record, member: int) -> None:
    """``member`` is the card's responsible now; told when they were not before."""
    kind, key, card = (
        (OutboxKind.DEAL_ASSIGNED, "deal_id", record.deal)
        if record.deal is not None
        else (OutboxKind.RECORD_ASSIGNED, "record_id", record.team)
        if record.team is not None
        else (OutboxKind.CLIENT_ASSIGNED, "client_id", record.client)
    )
    if card is None or card.manager_id == member:
        return
    card.manager_id = member
    await notices.tell(session, clock, kind, member, None, {key: card.id})
