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
* every statement this process sends that can change a member's row (an
  ``UPDATE``, ``INSERT`` or ``DELETE`` on ``users``, and a ``DELETE`` on
  ``clients`` or ``deals``, which clears open cards through their foreign keys)
  drops every copy when it is sent and again when its transaction ends, so a
  copy read before that transaction committed does not outlive it;
* a copy is kept only from a read that began a transaction of its own (its
  snapshot is not older than the read) and saw no drop while it ran;
* a copy older than ``max_age`` is read again, which bounds what a change made
  from outside the bot (by hand, in the database) can leave behind.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from storage.models import User

# Statements after which a member's row may differ from its copy.
_CHANGES_MEMBERS = re.compile(
    r"\s*(UPDATE\s+users\b|INSERT\s+INTO\s+users\b|DELETE\s+FROM\s+(users|clients|deals)\b)",
    re.IGNORECASE,
)
_PENDING = "kartoteka_member_change"  # connection info: a change not yet committed
_COLUMNS = tuple(attr.key for attr in inspect(User).column_attrs)
_MANAGER = inspect(User).class_manager


class MemberCache:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._max_age = 0.0  # off until enabled
        self._rows: dict[int, tuple[float, dict[str, Any]]] = {}
        self._generation = 0  # bumped by every drop

    @property
    def enabled(self) -> bool:
        return self._max_age > 0

    def enable(self, engine: AsyncEngine, max_age: float = 60.0) -> None:
        """Keep copies, watching every statement ``engine`` sends (one instance only)."""
        sync = engine.sync_engine

        def sent(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if _CHANGES_MEMBERS.match(statement):
                conn.info[_PENDING] = True
                self.drop()

        def ended(conn: Any, *_args: Any) -> None:
            if conn.info.pop(_PENDING, False):
                self.drop()

        def reset(_dbapi: Any, record: Any, _reset_state: Any) -> None:
            # Returned to the pool without commit or rollback (an error, a lost connection).
            if record.info.pop(_PENDING, False):
                self.drop()

        event.listen(sync, "before_cursor_execute", sent)
        event.listen(sync, "commit", ended)
        event.listen(sync, "rollback", ended)
        event.listen(sync.pool, "reset", reset)
        self._max_age = max_age

    def drop(self) -> None:
        self._rows.clear()
        self._generation += 1

    async def get_active(self, session: AsyncSession, user_id: int) -> User | None:
        """The active member ``user_id`` as an object of ``session`` (None: not one)."""
        kept = self._rows.get(user_id)
        if kept is not None and self._monotonic() - kept[0] <= self._max_age:
            found = session.identity_map.get((User, (user_id,), None))
            if found is None:
                found = _MANAGER.new_instance()  # as the ORM loads a row, without __init__
                found.__dict__.update(kept[1])
                make_transient_to_detached(found)  # loaded, unchanged, with its identity
                session.add(found)
            return found if isinstance(found, User) else None
        fresh = self.enabled and not session.in_transaction()
        generation = self._generation
        user = await session.get(User, user_id)
        if user is None or not user.active:
            return None
        if fresh and generation == self._generation:
            self._rows[user_id] = (
                self._monotonic(),
                {key: getattr(user, key) for key in _COLUMNS},
            )
        return user
