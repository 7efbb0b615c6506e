"""Taking back one's own note or file just added to a card (its "↩️ Undo")."""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, NotFound
from storage.models import Event, User

UNDO_WINDOW = timedelta(hours=1)
NOTE_KINDS = ("comment", "call", "file")


def undo_check(event: Event) -> str:
    """A short mark of the one event ``event`` is (its card, kind, text, file and time),
    for an Undo button that names it by id: on SQLite, before migration 0029, an undone
    event's id went to the next event written, and an old button must not take that one
    back (8 characters: a button's callback data is at most 64 bytes). Two files sent
    without a caption differ by their file id; two equal comments, by their time."""
    data = event.data if isinstance(event.data, dict) else {}
    when = event.occurred_at.astimezone(UTC).isoformat() if event.occurred_at else ""
    mark = (
        f"{event.client_id}:{event.record_id}:{event.deal_id}:{event.kind}:{when}:"
        f"{data.get('file_id', '')}:{event.text or ''}"
    )
    return f"{zlib.crc32(mark.encode()):08x}"


async def take_back(
    session: AsyncSession,
    clock: Clock,
    actor: User,
    event_id: int,
    see: Callable[[Event], Awaitable[None]],
    meant: Callable[[Event], bool] = lambda _event: True,
) -> None:
    """Delete ``actor``'s own comment, call note or file made within ``UNDO_WINDOW``, on a
    card ``see`` finds the actor still sees (a client's or a record's); in the caller's
    transaction. An event ``meant`` does not take for the button's (another card's, or
    another note that got the id since) was taken back already: "already removed"."""
    event = await session.get(Event, event_id)
    if event is None or event.kind not in NOTE_KINDS or not meant(event):
        raise Conflict(ErrorCode.ALREADY_UNDONE)
    if event.actor_id != actor.id:
        raise NotFound()
    await see(event)
    if clock.now() - event.occurred_at > UNDO_WINDOW:
        raise Conflict(ErrorCode.TOO_LATE_TO_UNDO)
    await session.execute(delete(Event).where(Event.id == event_id))


def meant_by(
    card_id: int | None, on_card: Callable[[Event], int | None], check: str | None
) -> Callable[[Event], bool]:
    """What an Undo button names: an event on the card ``card_id`` (None: an older
    button's, naming none), whose ``undo_check`` is ``check`` (None: an older button's)."""

    def meant(event: Event) -> bool:
        if card_id is not None and on_card(event) != card_id:
            return False
        return check is None or check == undo_check(event)

    return meant
