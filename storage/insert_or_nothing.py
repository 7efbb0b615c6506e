"""An INSERT that leaves a row already there alone ("on conflict do nothing").

Rows keyed by something two writers may write at once (an outbox message's dedupe key,
a rule's firing, a tag on a card, a chat message's event): on PostgreSQL the second
waits for the first to commit and inserts nothing, instead of failing with a unique
violation; SQLite's writers come one after another anyway. How many rows went in is
the result's ``rowcount`` (or what ``RETURNING`` gives back).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def insert_or_nothing(session: AsyncSession, table: Any, *conflict_columns: str) -> Insert:
    """INSERT into ``table`` (a mapped class or a table) in the session's dialect, doing
    nothing on a conflict with ``conflict_columns`` (none named: with any unique key)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns) or None)
