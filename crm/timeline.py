"""What people add to a card's timeline: comments, calls, files. And the open card.

Right after a call a manager writes what happened; while a card is open (the
last one this member opened, recently) a plain message becomes a comment on it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from crm import events
from crm.clients import Clients
from crm.clock import Clock
from crm.errors import ErrorCode, InvalidInput, NotFound
from crm.event_data import CallLogged, FileAttached
from crm.events import EventKind
from crm.open_cards import CLOSED, OpenCard, OpenCards, open_card_update
from crm.parsing.search_text import shows, unseen
from crm.take_back import NOTE_KINDS, meant_by, take_back
from storage.engine import write_row, write_transaction
from storage.models import Deal, Event, User

log = logging.getLogger(__name__)
MAX_NOTE = 4000
CALL_OUTCOMES = ("reached", "no_answer", "call_back")
FileKind = Literal["photo", "voice", "document", "video", "audio", "video_note"]
# Reopening the open card writes its time again only once it is this old.
OPEN_CARD_REFRESH = timedelta(minutes=1)
# Notes a timeline shows cut and "📖 Read whole" shows whole: a form lead's message too.
WHOLE_KINDS = (*NOTE_KINDS, "lead")


def note_check(event: Event) -> str:
    """A short mark of the note ``event`` holds (its client, kind and text), for a button
    that names the event by id: on SQLite an undone comment's id may go to the next event
    written, and the button must not open that one (8 characters: a button's callback
    data is at most 64 bytes)."""
    note = f"{event.client_id}:{event.kind}:{event.text or ''}"
    return f"{zlib.crc32(note.encode()):08x}"


def clean_note(text: str | None, required: bool = True) -> str | None:
    note = (text or "").strip()
    if not shows(note):
        if required:
            raise InvalidInput(ErrorCode.EMPTY, field="comment")
        return None
    if len(note) > MAX_NOTE:
        raise InvalidInput(ErrorCode.TOO_LONG, field="comment", limit=MAX_NOTE)
    return note


class Timeline:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        clients: Clients,
        open_cards: OpenCards,
        removals: int,
    ) -> None:
        self._session = session
        self._clock = clock
        self._clients = clients
        self._open_cards = open_cards  # kept and written behind, when enabled
        # The card this update opened (or found open already), if any.
        self.opened: int | None = None
        self.opened_deal: int | None = None
        self.opened_record: int | None = None
        self._to_write: User | None = None  # whose open card ``opened`` is, not yet written
        self._removals = removals  # ``OpenCards.removals`` when the update began

    async def comment(self, actor: User, client_id: int, text: str) -> Event:
        note = clean_note(text)
        return await self._add(actor, client_id, EventKind.COMMENT, text=note)

    async def call(self, actor: User, client_id: int, outcome: str, text: str | None) -> Event:
        if outcome not in CALL_OUTCOMES:
            raise InvalidInput(ErrorCode.BAD_CALL_OUTCOME)
        # No note is a call without one; a note of nothing visible is refused, not taken so.
        note = clean_note(text, required=unseen(text or ""))
        data = CallLogged(outcome=outcome)
        return await self._add(actor, client_id, EventKind.CALL, text=note, data=data)

    async def attach(
        self,
        actor: User,
        client_id: int,
        kind: FileKind,
        file_id: str,
        file_name: str | None,
        caption: str | None,
        deal_id: int | None = None,
    ) -> Event:
        """A file on the client's timeline; with ``deal_id`` (a deal of this client's, its
        card open), on the deal's too."""
        note = clean_note(caption, required=False)
        data = FileAttached(file_kind=kind, file_id=file_id, file_name=file_name)
        return await self._add(
            actor, client_id, EventKind.FILE, text=note, data=data, deal_id=deal_id
        )

    async def undo_comment(
        self, actor: User, event_id: int, client_id: int | None = None, check: str | None = None
    ) -> None:
        """Take back one's own comment, call note or file made within the last hour: the
        event ``event_id``, if it is on ``client_id``'s timeline and its ``undo_check`` is
        ``check`` (each None on an older button: not checked)."""

        async def see(event: Event) -> None:
            if event.client_id is None:
                raise NotFound()
            await self._clients.visible(actor, event.client_id)

        async with write_transaction(self._session):
            meant = meant_by(client_id, lambda event: event.client_id, check)
            await take_back(self._session, self._clock, actor, event_id, see, meant)

    async def file_event(self, actor: User, event_id: int) -> Event:
        """A file from a timeline the actor can see, to be sent back on request."""
        event = await self._session.get(Event, event_id)
        if event is None or event.kind != "file" or event.client_id is None:
            raise NotFound()
        await self._clients.visible(actor, event.client_id)
        return event

    async def note_event(self, actor: User, event_id: int, check: str | None = None) -> Event:
        """A comment, call note, file caption or a lead's message from a timeline the actor
        can see, to be read whole (the timeline shows it cut). ``check``: the note's
        ``note_check`` when the button was made (None on an older message's): another note
        under the same id is not the one meant."""
        event = await self._session.get(Event, event_id)
        if event is None or event.kind not in WHOLE_KINDS or not event.text:
            raise NotFound(ErrorCode.NOTE_GONE)
        if event.client_id is None or check not in (None, note_check(event)):
            raise NotFound(ErrorCode.NOTE_GONE)
        await self._clients.visible(actor, event.client_id)
        return event

    # --- the open card -------------------------------------------------------------

    async def open_card(
        self,
        actor: User,
        client_id: int | None,
        deal_id: int | None = None,
        record_id: int | None = None,
    ) -> None:
        """Make ``client_id`` (or its deal ``deal_id``), or the record ``record_id`` (no
        client), the card plain text and files go to.

        This update sees it at once (``open_client_id``, ``open_record_id``); it is
        remembered by ``remember_open``, once the update's answer is out
        (``Crm.after_answer``): a card that was never shown (the update failed) is not
        left open. With one instance it is kept in the process and written behind
        (``crm/open_cards.py``), else written then, after the card. When it already is
        the open card, and was opened less than ``OPEN_CARD_REFRESH`` ago, nothing
        changes: browsing one card (refresh, pages of its timeline, finding it again)
        writes nothing. The window counted from the opening (``card_context``) then runs
        from at most that much earlier.
        """
        self.opened = client_id
        self.opened_deal = deal_id
        self.opened_record = record_id
        now = self._clock.now()
        fresh = (
            actor.open_client_id == client_id
            and actor.open_deal_id == deal_id
            and actor.open_record_id == record_id
            and actor.open_client_at is not None
            and now - actor.open_client_at < OPEN_CARD_REFRESH
        )
        self._to_write = None if fresh else actor

    async def remember_open(self) -> None:
        """Remember the card ``open_card`` opened, if it changed (``_write_open``).

        With several instances it is written now, outside the update's transaction
        (the bot calls this once the session is closed; a transaction still open is
        ended first: its writes were committed by their own, ``write_transaction``),
        so the write takes back the connection the session gave up instead of holding
        a second one. A card deleted meanwhile is written as none. A write that fails
        (the database locked past the busy timeout, or gone) is logged and not raised:
        the card is out, and the member keeps their last open card. (With one instance
        it is kept in the process: ``crm/open_cards.py``.)"""
        actor, self._to_write = self._to_write, None
        if actor is None:
            return
        try:
            card = OpenCard(self.opened, self.opened_deal, self._clock.now(), self.opened_record)
            await self._write_open(actor, card)
        except Exception:
            log.warning("the open card of member %s was not written", actor.id, exc_info=True)

    async def close_card(self, actor: User) -> None:
        self.opened = self.opened_deal = self.opened_record = None  # not opened after all
        self._to_write = None
        await self._write_open(actor, CLOSED)

    async def _write_open(self, actor: User, card: OpenCard) -> None:
        """``actor``'s open card, kept to be written behind with one instance
        (``OpenCards.keep``); else written now as one statement of its own
        (``write_row``), after the update's transaction ends. Either way ``actor``
        carries it as its row."""
        if self._open_cards.enabled:
            self._open_cards.keep(actor, card, self._removals)
            return
        if self._session.in_transaction():
            await self._session.commit()  # it only read (nothing expires: expire_on_commit)
        engine = self._session.bind
        assert isinstance(engine, AsyncEngine)
        await write_row(engine, open_card_update(), card.params(actor.id))
        card.put_on(actor)  # as the row is now, not a change to write

    def open_client_id(self, actor: User, window: timedelta) -> int | None:
        """The client whose card (or a deal of theirs) plain text goes to now, if one was
        opened within ``window`` (this update's, if it opened one: ``open_card``)."""
        if self._to_write is not None:
            return self.opened
        return self._if_recent(actor, window, actor.open_client_id)

    def open_deal_id(self, actor: User, window: timedelta) -> int | None:
        """The deal whose card is open now (within ``window``), if the open card is a deal's."""
        if self.open_client_id(actor, window) is None:
            return None
        return self.opened_deal if self._to_write is not None else actor.open_deal_id

    def open_record_id(self, actor: User, window: timedelta) -> int | None:
        """The record whose card is open now, if one was opened within ``window`` (this
        update's, if it opened one)."""
        if self._to_write is not None:
            return self.opened_record
        return self._if_recent(actor, window, actor.open_record_id)

    def _if_recent(self, actor: User, window: timedelta, card_id: int | None) -> int | None:
        """``card_id`` (of ``actor``'s row), if its card was opened within ``window``."""
        if card_id is None or actor.open_client_at is None:
            return None
        return None if self._clock.now() - actor.open_client_at > window else card_id

    async def _add(
        self,
        actor: User,
        client_id: int,
        kind: str,
        text: str | None = None,
        data: Mapping[str, object] | None = None,
        deal_id: int | None = None,
    ) -> Event:
        async with write_transaction(self._session):
            client = await self._clients.visible(actor, client_id)
            if deal_id is not None:
                deal = await self._session.get(Deal, deal_id)
                if deal is None or deal.client_id != client.id:
                    raise NotFound()
            client.last_activity_at = self._clock.now()
            event = events.record(
                self._session,
                self._clock,
                kind,
                actor.id,
                client_id=client.id,
                deal_id=deal_id,
                text=text,
                data=dict(data or {}),
            )
            await self._session.flush()
            return event
