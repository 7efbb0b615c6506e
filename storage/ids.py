"""Ids handed out before their rows are inserted, so a batch goes in as one statement.

PostgreSQL gives them from the table's sequence. SQLite continues after the
largest id, or after the largest it ever gave where that is higher: the tables
that never give a deleted card's id again (``IDS_NEVER_REUSED``) keep it in
``sqlite_sequence``. Safe on SQLite because a write transaction holds the only
write lock: nobody inserts meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.base import Base


async def sqlite_tops(session: AsyncSession, tables: Sequence[str]) -> dict[str, int]:
    """SQLite: the id each table's new rows start after, in one statement."""
    parts = (
        f"max((SELECT coalesce(max(id), 0) FROM {name}), "
        f"coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{name}'), 0))"
        for name in tables
    )
    tops = (await session.execute(text("SELECT " + ", ".join(parts)))).one()
    return {name: int(top or 0) for name, top in zip(tables, tops, strict=True)}


async def reserve_ids(session: AsyncSession, model: type[Base], count: int) -> list[int]:
    """Ids for ``count`` new rows of ``model``'s table, in order."""
    table = model.__tablename__
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = await session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table, "n": count},
        )
        return [int(value) for value in rows]
    top = (await sqlite_tops(session, [table]))[table]
    return list(range(top + 1, top + 1 + count))
