"""What Spam on a lead does to its card: archived when only spam brought it into the lists.

A card counts as brought in by leads when it was made by one (its ``client_created``
event names the lead) or was last restored from the archive by one (the ``unarchived``
event a batch writes names its first lead on the card, crm.intake.batch_rows), and no
member archived or restored it since. Every lead on the card from that one on came in
with it: the card goes (back) to the archive when the last of them is thrown out as
spam, not when the first is, since one of the others may be a real client's. A card
any other lead on it still waits for stays active, whatever its origin, so no lead in
/incoming points at a card no list shows: the member is told, and the card goes when
that lead is thrown out too (or stays, once taken). One a member took a lead on since
the leads brought it in stays as well (one that waited from before counts too), and so
does one a member restored by hand since the lead came (the alert says who kept it).
So whichever lead is thrown out last takes the card back: one that waited on it from
before the leads brought it back (it was archived under that lead) as well.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.events import EventKind
from storage.models import Client, Event, Lead

# The events that say how a card got into the lists or out of them, newest wins.
_WAYS = (EventKind.CLIENT_CREATED, EventKind.ARCHIVED, EventKind.UNARCHIVED)


class CardFate(StrEnum):
    MADE = "made"  # brought in by a new card's leads, all spam now: archived
    RESTORED = "restored"  # brought back from the archive by leads, all spam now: archived
    # the same, another lead brought it back (this one came after it, or waited from before)
    RESTORED_BY_ANOTHER = "restored_by_another"
    KEPT = "kept"  # there before the lead (or restored by a chat): stays
    RESTORED_BY_MEMBER = "restored_by_member"  # a member restored it by hand since: stays
    WAITING = "waiting"  # another lead on the card waits in /incoming: stays for now
    TAKEN = "taken"  # a member took another lead that came in with it: stays

    @property
    def archives(self) -> bool:
        return self in (CardFate.MADE, CardFate.RESTORED, CardFate.RESTORED_BY_ANOTHER)


async def card_fate(session: AsyncSession, lead: Lead, client: Client) -> CardFate:
    """Where ``lead``'s card goes now that the lead is spam (its ``spam_at`` is written)."""
    assert lead.client_id is not None
    first, since, fate = await _brought_in(session, lead)
    if first is None or since is None:
        return fate
    if fate == CardFate.RESTORED and first != lead.id:
        fate = CardFate.RESTORED_BY_ANOTHER
    if client.archived_at is not None:  # archived meanwhile: it stays there
        return fate
    waiting = await _others(session, lead, Lead.taken_by.is_(None))
    if waiting:
        return CardFate.WAITING
    # Taken since the leads brought it in: theirs, or one that waited from before (a member
    # who takes it wants the card, which stays whichever lead came first).
    taken_since = or_(Lead.id >= first, Lead.taken_at >= since)
    if await _others(session, lead, taken_since, Lead.taken_by.is_not(None)):
        return CardFate.TAKEN
    return fate


async def _brought_in(
    session: AsyncSession, lead: Lead
) -> tuple[int | None, datetime | None, CardFate]:
    """The first lead of the leads that brought the card in, when, and how; None: not leads.
    The newest of the card's ways in or out decides, for the lead that made it too: a
    member who archived it and restored it since the lead came has kept it."""
    last = (
        await session.execute(
            select(Event.kind, Event.data, Event.occurred_at)
            .where(Event.client_id == lead.client_id, Event.kind.in_(_WAYS))
            .order_by(Event.id.desc())
            .limit(1)
        )
    ).first()
    first = (last.data or {}).get("lead_id") if last is not None else None
    if last is not None and last.kind == EventKind.CLIENT_CREATED and lead.new_client:
        first = lead.id  # it made the card
    if last is not None and _by_hand_since(last.kind, last.data or {}, last.occurred_at, lead):
        return None, None, CardFate.RESTORED_BY_MEMBER
    if last is None or not isinstance(first, int) or last.kind == EventKind.ARCHIVED:
        return None, None, CardFate.KEPT
    how = CardFate.MADE if last.kind == EventKind.CLIENT_CREATED else CardFate.RESTORED
    return first, last.occurred_at, how


def _by_hand_since(kind: str, data: dict[str, Any], at: datetime, lead: Lead) -> bool:
    """A member's own restore (no lead's, no chat's: crm.event_data.Unarchived) after
    ``lead`` came in."""
    return (
        kind == EventKind.UNARCHIVED
        and "lead_id" not in data
        and not data.get("business")
        and at >= lead.received_at
    )


async def _others(session: AsyncSession, lead: Lead, *where: ColumnElement[bool]) -> int:
    """How many other leads on the card, not spam, match ``where``."""
    found = await session.scalar(
        select(func.count()).where(
            Lead.client_id == lead.client_id,
            Lead.id != lead.id,
            Lead.spam_at.is_(None),
            *where,
        )
    )
    return int(found or 0)
