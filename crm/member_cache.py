"""The members' rows, kept in this process for the update that comes next.

Every update begins with the sender's row (who they are, their role, their
language, the card they have open). Read afresh, that is a transaction of its
own for a menu command that needs nothing else: about two thirds of a
``/help``'s time went to the session's round trips. ``MemberCache`` keeps a copy
of each active member's row per process (``CrmFactory`` holds it), and an update
gets its own ORM object built from it, attached to its session as if loaded.

It stays true because nothing changes a member's row but this process:

* it is on only with one instance (``enable``, called by ``build_app`` when
  ``INSTANCES`` is 1). With several, a chat's next update may be handled by
  another instance, and a copy a few seconds old could send a note to the card
  the member has left, so every update reads its row as before;
* every statement this process sends that may change a member's row (any but a
  ``SELECT`` that names ``users``; one that deletes rows of ``clients``,
  ``deals`` or ``records``, which clears open cards through their foreign keys) drops every
  copy when it is sent, and again when its connection is back in the pool, its
  transaction over and the ``COMMIT`` done;
* a copy is kept only from a read that began a transaction of its own (its
  snapshot no older than the read), while no connection that changed members
  was out of the pool and no drop came while it ran; a member the session
  already holds is the session's (a use case that must see the row as it is
  now, such as a check of the actor's role before managing the team, reads it
  again with ``populate_existing``);
* a copy older than ``max_age`` is read again: a change made from outside the
  bot (by hand in the database, a restore into the running bot's database) is
  seen within that time.

The open cards members opened and this process has not written yet
(``open_cards``, on with the copies) are put on every member handed out, from a
copy or loaded (``OpenCards.watch``): the row as this process will write it (so
an open card changed by hand in the database meanwhile is written over). A
statement that removes clients, deals or records closes them all (``OpenCards.close_all``),
when sent and again when its transaction is over.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from crm.open_cards import OpenCards
from storage.models import User

# A statement after which a member's row may differ from its copy: any but a SELECT that
# names ``users`` (quoted, with a schema, in a CTE: anywhere), and any that deletes or
# replaces rows and names ``clients``, ``deals`` or ``records`` (their deletion clears open
# cards: ``users.open_record_id`` too, since migration 0028).
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_USERS = re.compile(r"\busers\b", re.IGNORECASE)
_CARDS = re.compile(r"\b(clients|deals|records)\b", re.IGNORECASE)
_REMOVES = re.compile(r"\b(DELETE|REPLACE|TRUNCATE|MERGE)\b", re.IGNORECASE)
_WRITING = "kartoteka_member_change"  # connection info: it changed members, not yet returned
_REMOVING = "kartoteka_card_removal"  # connection info: it removed cards, not yet returned
_COLUMNS = tuple(attr.key for attr in inspect(User).column_attrs)
_MANAGER = inspect(User).class_manager


def changes_members(statement: str) -> bool:
    """Whether ``statement`` may change a member's row (over-counting is only slower)."""
    if _READ.match(statement):
        return False
    return bool(_USERS.search(statement)) or removes_cards(statement)


def removes_cards(statement: str) -> bool:
    """Whether ``statement`` may remove clients, deals or records (which clears open cards)."""
    return bool(_CARDS.search(statement) and _REMOVES.search(statement))


class MemberCache:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._max_age = 0.0  # off until enabled
        self._rows: dict[int, tuple[float, dict[str, Any]]] = {}
        self._generation = 0  # bumped by every drop
        self._writing = 0  # connections that changed members and are not back in the pool
        self.open_cards = OpenCards()  # written behind, when enabled

    @property
    def enabled(self) -> bool:
        return self._max_age > 0

    def enable(self, engine: AsyncEngine, max_age: float = 60.0) -> None:
        """Keep copies, watching every statement ``engine`` sends (one instance only)."""
        sync = engine.sync_engine

        def sent(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if changes_members(statement):
                if not conn.info.get(_WRITING):
                    conn.info[_WRITING] = True
                    self._writing += 1
                self.drop()
                if removes_cards(statement):  # the kept open cards too (OpenCards.close_all)
                    conn.info[_REMOVING] = True
                    self.open_cards.close_all()

        def returned(_dbapi: Any, record: Any, *_args: Any) -> None:
            # Back in the pool (or thrown away): its transaction is over, COMMIT included.
            # (SQLAlchemy's own commit event comes before the COMMIT is sent.)
            if record.info.pop(_WRITING, False):
                self._writing -= 1
                self.drop()
            if record.info.pop(_REMOVING, False):  # a card opened before it committed
                self.open_cards.close_all()

        event.listen(sync, "before_cursor_execute", sent)
        event.listen(sync.pool, "checkin", returned)
        event.listen(sync.pool, "invalidate", returned)
        self._max_age = max_age
        self.open_cards.enable(engine)

    def drop(self) -> None:
        self._rows.clear()
        self._generation += 1

    async def get_active(self, session: AsyncSession, user_id: int) -> User | None:
        """The active member ``user_id`` as an object of ``session`` (None: not one)."""
        identity = (User, (user_id,), None)
        known = session.identity_map.get(identity)
        kept = self._rows.get(user_id)
        if known is None and kept is not None and self._monotonic() - kept[0] <= self._max_age:
            known = _MANAGER.new_instance()  # as the ORM loads a row, without __init__
            known.__dict__.update(kept[1])
            make_transient_to_detached(known)  # loaded, unchanged, with its identity
            session.add(known)
            self.open_cards.put_on(known)  # as a load would (OpenCards.watch)
        if known is not None:  # the session's own object (from the copy, or read before)
            return known if isinstance(known, User) and known.active else None
        # Kept only from a read of its own: a transaction that begins with it (a snapshot
        # no older than the read), no member's row changing meanwhile, none being changed.
        fresh = self.enabled and not session.in_transaction() and not self._writing
        generation = self._generation
        user = await session.get(User, user_id)
        if user is None or not user.active:
            return None
        if fresh and generation == self._generation and not self._writing:
            self._rows[user_id] = (
                self._monotonic(),
                {key: getattr(user, key) for key in _COLUMNS},
            )
        return user
