"""Each table's id counter in a backup: the last id the table gave, a deleted row's too.

SQLite keeps it in ``sqlite_sequence`` for the tables made with AUTOINCREMENT
(``storage.base.IDS_NEVER_REUSED``, migration 0026); PostgreSQL in each table's
sequence. A backup carries it (``counter`` of a table in the manifest) and a
restore sets it back to the larger of it and the largest id restored, into
either database: a deleted card's id is not given to a new card after a restore
or a transfer, as it is not before. Without a counter (an older backup) the
largest id restored is where new ids go on from, as they always did.
"""

from __future__ import annotations

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection


async def read_counters(conn: AsyncConnection, tables: list[Table]) -> dict[str, int]:
    """The last id each table gave, for the tables that keep one."""
    names = {table.name for table in tables}
    if conn.dialect.name == "sqlite":
        if not await _sqlite_autoincrement(conn):
            return {}  # no sqlite_sequence before the first AUTOINCREMENT table
        rows = await conn.execute(text("SELECT name, seq FROM sqlite_sequence"))
        return {str(name): int(seq) for name, seq in rows if name in names and seq is not None}
    counters: dict[str, int] = {}
    for table in tables:
        sequence = await _sequence(conn, table)
        if sequence is not None:
            last, called = (
                await conn.execute(text(f"SELECT last_value, is_called FROM {sequence}"))
            ).one()
            counters[table.name] = int(last) if called else int(last) - 1
    return counters


async def set_counters(
    conn: AsyncConnection, tables: list[Table], counters: dict[str, int]
) -> None:
    """After a load: each table's counter to the larger of the backup's and its largest id."""
    if conn.dialect.name == "sqlite":
        await _set_sqlite(conn, counters)
        return
    for table in tables:
        sequence = await _sequence(conn, table)
        if sequence is None:
            continue
        column = table.primary_key.columns[0].name
        await conn.execute(
            text(
                f'SELECT setval(:sequence, GREATEST(COALESCE((SELECT MAX("{column}") '
                f'FROM "{table.name}"), 0), :counter) + 1, false)'
            ),
            {"sequence": sequence, "counter": counters.get(table.name, 0)},
        )


async def _set_sqlite(conn: AsyncConnection, counters: dict[str, int]) -> None:
    """Only a table made with AUTOINCREMENT reads its counter; inserting the rows has
    already set it to their largest id."""
    for name in sorted(await _sqlite_autoincrement(conn) & set(counters)):
        kept = await conn.scalar(
            text("SELECT max(seq) FROM sqlite_sequence WHERE name = :t"), {"t": name}
        )
        await conn.execute(text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": name})
        await conn.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :seq)"),
            {"t": name, "seq": max(int(kept or 0), counters[name])},
        )


async def _sqlite_autoincrement(conn: AsyncConnection) -> set[str]:
    rows = await conn.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'")
    )
    return {str(name) for (name,) in rows}


async def _sequence(conn: AsyncConnection, table: Table) -> str | None:
    """PostgreSQL: the sequence of a table's one-column primary key, if it has one."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1:
        return None
    found = await conn.scalar(
        text("SELECT pg_get_serial_sequence(:table, :column)"),
        {"table": table.name, "column": keys[0].name},
    )
    return str(found) if found else None
