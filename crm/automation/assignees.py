"""Whom a firing's task or message goes to, and whether they may see the firing's card.

A task on a card goes only to a member who sees the card (its client, for a deal),
as a deal is given by hand only to a member who sees its client (``crm.deal_assign``)
and round-robin passes over one who does not (``round_robin``): a manager who does
not see the card could not open it from the task, while the task's title names it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.automation.conditions import Record
from crm.cards import can_see_record
from crm.team_settings import TeamSettings
from storage.models import AutomationFiring, AutomationRule, Role, User


class NoOne(Exception):
    """No active member to give it to."""


class Unseen(Exception):
    """The member it would go to does not see the card."""


async def owners(session: AsyncSession) -> list[int]:
    rows = await session.scalars(
        select(User.id).where(User.role == Role.OWNER, User.active.is_(True))
    )
    return list(rows)


async def member(
    session: AsyncSession,
    who: object,
    firing: AutomationFiring,
    record: Record,
    rule: AutomationRule,
) -> User:
    """The member for "responsible", "actor" or an id who sees the card (``sees``).

    A member named by id (or the actor) who is active is the rule's choice: Unseen if they
    do not see the card. Otherwise the card's responsible, the rule's author, then the
    owners, in that order: the first active one who sees the card; Unseen when some are
    active and none sees it, NoOne when none is active."""
    chosen = who if isinstance(who, int) else firing.actor_id if who == "actor" else None
    if chosen is not None:
        user = await session.get(User, chosen)
        if user is not None and user.active:
            if not await sees(session, user, record):
                raise Unseen()
            return user
    anyone = False
    for candidate in [record.responsible, rule.created_by, *await owners(session)]:
        user = await session.get(User, candidate) if candidate is not None else None
        if user is not None and user.active:
            if await sees(session, user, record):
                return user
            anyone = True
    raise Unseen() if anyone else NoOne()


async def sees(session: AsyncSession, user: User, record: Record) -> bool:
    """Whether ``user`` may open the firing's card: a record of the team's own type, or
    the client (a deal's client for a deal), by the rules a member's screens apply."""
    see_all = await TeamSettings(session).managers_see_all()
    if record.team is not None:
        return can_see_record(user, record.team, see_all)
    if record.client is not None:
        return visibility.can_see_client(user, record.client, see_all)
    return True
