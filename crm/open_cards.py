"""The members' open cards, kept in the process and written behind (one instance).

The open card (the card a member's plain text goes to) changes with most card
views. Written after each of them it cost a write transaction, the write lock
on SQLite, and ~0.6 ms of the event loop that the member's next update waited
for. With one instance this process is the only reader of members' rows (every
update takes its member through ``MemberCache``, which applies what is kept
here), so the open card is kept here and written behind: the clock's tick
writes what changed since the last one, every member's in one transaction, and
so does the bot when it stops (``App.close``).

What it costs, against a write after each view:

* a crash loses what was kept since the last write (a tick: ``OUTBOX_POLL_SECONDS``,
  a second by default; longer while writes fail): those members' plain text
  goes to the card they had open before, as after a write that failed;
* removing clients, deals or records (``MemberCache`` hears the statement) closes every
  card kept, and any card kept later by an update that began before the removal
  (a card is kept once its update's answer is out, and it may have been read
  before): the database's foreign keys clear only the cards it holds, and on
  SQLite a removed client's id may be given to the next one created.

A write that fails (the database locked past the busy timeout, or gone) is
logged (once, until one succeeds), and what it held is kept for the next tick
unless the member opened another card meanwhile; so is a write cut short (the
bot stopping), and the bot stopping waits for a write under way, then writes
the rest. With several instances (``MemberCache`` off) nothing is kept: each
opening is written at once (``Timeline.open_card``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Update, bindparam, event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.engine import write_rows
from storage.models import Client, Deal, Record, User

log = logging.getLogger(__name__)
_WATCHED_BY = "kartoteka_open_cards"  # session info: the OpenCards its members carry


@dataclass(frozen=True)
class OpenCard:
    """A member's open card: the client, the deal (of that client) if a deal's card, the
    record if a record's (no client then), and when it was opened; all None when none is
    open."""

    client_id: int | None
    deal_id: int | None
    at: datetime | None
    record_id: int | None = None

    def params(self, member_id: int) -> dict[str, object]:
        """The parameters of ``open_card_update`` that write it."""
        return {
            "member": member_id,
            "client": self.client_id,
            "deal": self.deal_id,
            "record": self.record_id,
            "at": self.at,
        }

    def put_on(self, user: User) -> None:
        """Make ``user`` (an object of a session) carry it, as if loaded so: not a change
        for the session to write."""
        set_committed_value(user, "open_client_id", self.client_id)
        set_committed_value(user, "open_deal_id", self.deal_id)
        set_committed_value(user, "open_record_id", self.record_id)
        set_committed_value(user, "open_client_at", self.at)


CLOSED = OpenCard(None, None, None)
"""No card open."""


@cache
def open_card_update() -> Update:
    """A member's open card, written (built once: ~0.1 ms a time). The card by
    subqueries, so that one deleted meanwhile is written as none."""
    return (
        update(User)
        .where(User.id == bindparam("member"))
        .values(
            open_client_id=select(Client.id)
            .where(Client.id == bindparam("client"))
            .scalar_subquery(),
            open_deal_id=select(Deal.id).where(Deal.id == bindparam("deal")).scalar_subquery(),
            open_record_id=select(Record.id)
            .where(Record.id == bindparam("record"))
            .scalar_subquery(),
            open_client_at=bindparam("at", type_=User.open_client_at.type),
        )
    )


class OpenCards:
    """What members opened and this process has not written yet (see the module)."""

    def __init__(self) -> None:
        self._engine: AsyncEngine | None = None  # off until enabled
        self._kept: dict[int, OpenCard] = {}  # by member id, newest
        self._writing: dict[int, OpenCard] = {}  # the write under way
        self._turn = asyncio.Lock()  # one write at a time
        self._failing = False  # the last write failed (told once until one succeeds)
        self.removals = 0
        """How many times removing cards closed every card kept (``close_all``)."""

    @property
    def enabled(self) -> bool:
        return self._engine is not None

    def enable(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def watch(self, session: AsyncSession) -> None:
        """Every member ``session`` loads (or loads again: a refresh) carries the open card
        kept for them; ``MemberCache`` puts it on those it builds from its copies."""
        if self.enabled:
            session.info[_WATCHED_BY] = self

    def keep(self, user: User, card: OpenCard, removals: int) -> None:
        """``user`` opened ``card`` in an update that began when ``removals`` was as given:
        theirs at once, written by the next ``write``. Kept closed if clients, deals or records were
        removed since (``close_all``, by any update): it may be one of them, read before
        and kept after (once the update's answer is out). Conservative: any removal while
        the update ran closes it (no update opens a card after removing one, and
        removals are rare)."""
        assert self.enabled, "kept only with one instance (MemberCache.enable)"
        if removals != self.removals:
            card = CLOSED
        self._kept[user.id] = card
        card.put_on(user)

    def put_on(self, user: User) -> None:
        """Give ``user``, just taken for an update, the open card kept for them (if any)."""
        card = self._kept.get(user.id) or self._writing.get(user.id)
        if card is not None:
            card.put_on(user)

    def close_all(self) -> None:
        """Clients, deals or records are being removed (``MemberCache`` hears it, when the statement
        is sent and when its transaction is over): every card kept, or being written,
        is closed. A card kept here may be one of them, and the database's foreign keys
        clear only what it holds; left open, its id could be given to the next client
        created and a note filed there. Closed, what the member sends next is a search."""
        self.removals += 1  # and any card an update that began before keeps later
        for cards in (self._kept, self._writing):
            for member_id in cards:
                cards[member_id] = CLOSED

    @property
    def waiting(self) -> int:
        """How many members' open cards are kept and not written yet."""
        return len(self._kept)

    async def write(self, wait: bool = False) -> int:
        """Write what is kept, in one transaction; how many members' cards it wrote. With
        a write under way: nothing (the next tick writes the rest), or with ``wait``
        (the bot stopping) once it is over."""
        if self._engine is None or (not wait and (not self._kept or self._turn.locked())):
            return 0  # an idle tick: nothing to do, not even the lock
        async with self._turn:
            if not self._kept:
                return 0
            self._writing, self._kept = self._kept, {}
            try:
                rows = [card.params(member_id) for member_id, card in self._writing.items()]
                await write_rows(self._engine, open_card_update(), rows)
            except BaseException as error:  # cancelled too: kept for the next write
                for member_id, card in self._writing.items():  # unless opened another since
                    self._kept.setdefault(member_id, card)
                if not isinstance(error, Exception):
                    raise
                self._failed(len(self._writing))
                return 0
            finally:
                self._writing = {}
            if self._failing:
                self._failing = False
                log.info("the open cards are written again")
            return len(rows)

    def _failed(self, count: int) -> None:
        """Told once (with why) until a write succeeds; each tick tries again."""
        if not self._failing:
            self._failing = True
            log.warning("the open cards of %d members were not written", count, exc_info=True)
        else:
            log.debug("the open cards of %d members were not written", count, exc_info=True)


@event.listens_for(User, "load")
def _loaded(user: User, context: Any) -> None:
    """Members as any query of a watched session loads them (heard once for all)."""
    _put_on(user, context.session)


@event.listens_for(User, "refresh")
def _refreshed(user: User, context: Any, _attrs: Any) -> None:
    """And as loaded again (``populate_existing``, a refresh after a rollback)."""
    _put_on(user, context.session)


def _put_on(user: User, session: Any) -> None:
    kept = session.info.get(_WATCHED_BY) if session is not None else None
    if isinstance(kept, OpenCards):
        kept.put_on(user)
