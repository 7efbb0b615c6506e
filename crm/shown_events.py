"""The events a card showed, read again by their ids: "📎 Files on this page" lists the
files of exactly those, whatever was written on the card since it was drawn (an offset
into the history would shift by every event written meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.event_data import people_in
from crm.team_settings import TeamSettings
from crm.unseen_links import mask_unseen_links
from storage.models import Event, User

MOST_SHOWN = 10  # a card shows at most a page of ten events


@dataclass
class ShownEvents:
    events: list[Event]  # the newest first
    actors: dict[int, User]
    newer: int  # how many of the card's events are newer: where its page starts now


async def shown_events(
    session: AsyncSession,
    settings: TeamSettings,
    actor: User,
    of_card: ColumnElement[bool],
    newest: int,
    count: int,
) -> ShownEvents:
    """The ``count`` events (at most a page) of the card ``of_card`` picks, from the
    event ``newest`` on to older ones: those a card showed, its newest ``newest``."""
    count = min(max(count, 1), MOST_SHOWN)
    events = list(
        await session.scalars(
            select(Event).where(of_card, Event.id <= newest).order_by(Event.id.desc()).limit(count)
        )
    )
    await mask_unseen_links(session, settings, actor, events)
    ids = people_in(events)
    people: list[User] = []
    if ids:
        people = list(await session.scalars(select(User).where(User.id.in_(ids))))
    newer = await session.scalar(
        select(func.count()).select_from(Event).where(of_card, Event.id > newest)
    )
    return ShownEvents(events, {user.id: user for user in people}, int(newer or 0))
