"""A link's events name the other card as it was; a reader who may not see that card
reads no name (the card's list of links hides it already).

"link_added" and "link_removed" keep the other card's title, so that the timeline
still says what was linked after the card is renamed or deleted. A manager who sees
only their own clients (and records) may open a shared card that another manager
linked to one of theirs: the event then names a card they may not open. The title is
masked in memory, for this reading only; a card deleted since keeps its title (it
hides nothing any more).

A task moved to another card leaves "task_changed" (``detached``) on the card it left,
naming the card it went to in the same way (``other``, ``title``): masked the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from crm import visibility
from crm.access import is_staff
from crm.cards import CardKind, CardRef, can_see_record
from crm.errors import InvalidInput
from crm.team_settings import TeamSettings
from storage.models import Client, Deal, Event, Record, User

LINK_KINDS = frozenset({"link_added", "link_removed"})
NAMING_KINDS = LINK_KINDS | {"task_changed"}  # events that may name another card


async def mask_unseen_links(
    session: AsyncSession, settings: TeamSettings, actor: User, events: Iterable[Event]
) -> None:
    """Replace, in ``events`` as read, the title of each linked card ``actor`` may not
    see by ``"hidden": True`` (not written back: the events stay as they are stored)."""
    if is_staff(actor) or visibility.sees_all_clients(actor, await settings.managers_see_all()):
        return  # sees every client and record (staff: without asking the settings)
    hidden: dict[CardRef, bool] = {}
    for event in events:
        data: dict[str, Any] = event.data or {}
        if event.kind not in NAMING_KINDS or not isinstance(data.get("other"), dict):
            continue
        try:
            ref = CardRef.of(str(data["other"].get("kind")), int(data["other"].get("id")))
        except (TypeError, ValueError, InvalidInput):
            continue
        if ref not in hidden:
            hidden[ref] = await _hidden(session, actor, ref)
        if hidden[ref]:
            set_committed_value(event, "data", {**data, "title": None, "hidden": True})


async def _hidden(session: AsyncSession, actor: User, ref: CardRef) -> bool:
    """The card is there and ``actor`` may not see it (a manager seeing only their own)."""
    if ref.kind == CardKind.RECORD:
        record = await session.get(Record, ref.id)
        return record is not None and not can_see_record(actor, record, False)
    client_id: int | None = ref.id
    if ref.kind == CardKind.DEAL:
        deal = await session.get(Deal, ref.id)
        client_id = deal.client_id if deal is not None else None
    client = await session.get(Client, client_id) if client_id is not None else None
    return client is not None and not visibility.can_see_client(actor, client, False)
