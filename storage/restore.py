"""Restoring a backup into SQLite or PostgreSQL, and copying one database into another.

The archive is checked first (manifest, counts, checksums). The target is
migrated to the backup's schema revision, the rows go in parents first, and
then the target is migrated to the newest revision: so a backup made by an
older version restores into a newer one. A target that holds any rows is
refused unless ``replace`` is given, which drops everything in it first.
Foreign keys that point at a table not loaded yet (cycles, a table referring
to itself) are written empty and filled in once every row is in. Each table's
id counter is set back as the backup has it (``storage.id_counters``).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import search_index
from storage.backup import (
    BATCH,
    BackupError,
    Manifest,
    backup,
    data_tables,
    open_archive,
    read_manifest,
)
from storage.id_counters import set_counters
from storage.migrate import alembic_config, current_revision, sqlite_foreign_keys, upgrade
from storage.restore_values import DECODERS


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


async def table_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        tables = await conn.run_sync(data_tables)
        return {
            t.name: int(await conn.scalar(select(func.count()).select_from(t)) or 0) for t in tables
        }


async def restore(engine: AsyncEngine, source: Path | IO[bytes], replace: bool = False) -> Manifest:
    """Restore the archive into ``engine``'s database. With ``replace``, a database that
    holds data is first copied aside (a backup in a temporary file): when the load fails
    half-way, that copy is put back, so a bad archive never leaves the database empty."""
    with open_archive(source) as archive, tempfile.TemporaryFile() as held:
        manifest = read_manifest(archive)
        if manifest.revision not in known_revisions():
            raise BackupError("newer_backup", manifest.revision)
        kept = False
        if await current_revision(engine) is not None:
            counts = await table_counts(engine)
            if any(counts.values()):
                if not replace:
                    raise BackupError("not_empty", str(sum(counts.values())))
                await backup(engine, held, datetime.now(UTC))
                kept = True
            await drop_everything(engine)
        try:
            await upgrade(engine, manifest.revision)
            async with engine.begin() as conn:
                await _load(conn, archive, manifest)
        except Exception as exc:
            if kept:  # what the database held, back in
                await drop_everything(engine)
                held.seek(0)
                await restore(engine, held)
            if isinstance(exc, BackupError):
                raise
            first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise BackupError("load_failed", first_line[:300]) from exc
    await upgrade(engine)
    if manifest.counters() and await current_revision(engine) != manifest.revision:
        # A migration since the backup's revision may have set them anew (0026 on SQLite).
        async with engine.begin() as conn:
            await set_counters(conn, await conn.run_sync(data_tables), manifest.counters())
    return manifest


async def drop_everything(engine: AsyncEngine) -> None:
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if sqlite:
            # Tables that reference each other in a cycle cannot be dropped one by one
            # while SQLite checks foreign keys; the switch works only outside a transaction.
            await conn.run_sync(sqlite_foreign_keys, False)
        try:
            async with conn.begin():
                if sqlite:
                    for statement in (*search_index.SQLITE_NAME_DROP, *search_index.SQLITE_DROP):
                        await conn.exec_driver_sql(statement)
                await conn.run_sync(_drop_all)
        finally:
            if sqlite:
                await conn.run_sync(sqlite_foreign_keys, True)


def _drop_all(connection: Connection) -> None:
    metadata = MetaData()
    metadata.reflect(connection)
    if connection.dialect.name != "sqlite":
        metadata.drop_all(connection)  # PostgreSQL drops a cycle's constraints first
        return
    # SQLite checks foreign keys as it drops: empty the optional links, then the rows
    # children first, then the tables.
    for table in metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.parent.nullable:
                connection.execute(update(table).values({fk.parent.name: None}))
    order = _order(dict(metadata.tables), set(metadata.tables))
    for name in reversed(order):
        connection.execute(metadata.tables[name].delete())
    for name in reversed(order):
        metadata.tables[name].drop(connection)


async def _load(conn: AsyncConnection, archive: zipfile.ZipFile, manifest: Manifest) -> None:
    tables = {t.name: t for t in await conn.run_sync(data_tables)}
    missing = set(manifest.tables) - set(tables)
    if missing:
        raise BackupError("missing_table", ", ".join(sorted(missing)))
    sqlite = conn.dialect.name == "sqlite"
    index = await _drop_sqlite_index(conn) if sqlite else []
    loaded: set[str] = set()
    fixups: list[tuple[Table, str, list[dict[str, Any]]]] = []
    for name in _order(tables, set(manifest.tables)):
        table = tables[name]
        columns = [(c, kind) for c, kind in manifest.tables[name]["columns"] if c in table.c]
        positions = [
            i for i, (c, _k) in enumerate(manifest.tables[name]["columns"]) if c in table.c
        ]
        names = [c for c, _kind in columns]
        decoders = [(i, DECODERS[(sqlite, kind)]) for i, (_c, kind) in enumerate(columns)
                    if (sqlite, kind) in DECODERS]  # fmt: skip
        later = [
            names.index(fk.parent.name)
            for fk in table.foreign_keys
            if fk.parent.name in names
            and (fk.column.table.name == name or fk.column.table.name not in loaded)
        ]
        pk = [names.index(c.name) for c in table.primary_key.columns if c.name in names]
        held: dict[str, list[dict[str, Any]]] = {names[i]: [] for i in later}
        statement = _insert_sql(conn.dialect.paramstyle, name, names)
        for batch in _batches(archive, name):
            rows = []
            for raw in batch:
                values = [raw[i] for i in positions]
                for i, decode in decoders:
                    if values[i] is not None:
                        values[i] = decode(values[i])
                for i in later:
                    if values[i] is not None and len(pk) == 1:
                        held[names[i]].append({"_pk": values[pk[0]], "_value": values[i]})
                        values[i] = None
                rows.append(tuple(values))
            await conn.exec_driver_sql(statement, rows)
        loaded.add(name)
        fixups += [(table, column, values) for column, values in held.items() if values]
    for table, column, values in fixups:
        key = table.primary_key.columns[0]
        change = update(table).where(key == bindparam("_pk")).values({column: bindparam("_value")})
        await conn.execute(change, values)
    await set_counters(conn, list(tables.values()), manifest.counters())
    for statement_text in index:
        await conn.exec_driver_sql(statement_text)


async def _drop_sqlite_index(conn: AsyncConnection) -> list[str]:
    """Drop the search index's triggers and tables for the load; return how to rebuild them.

    Rebuilding the trigram index once is many times faster than a trigger per row.
    """
    names = set(
        (await conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'"))
        .scalars()
        .all()
    )
    rebuild: list[str] = []
    if search_index.FTS_TABLE in names:
        for statement_text in search_index.SQLITE_DROP:
            await conn.exec_driver_sql(statement_text)
        rebuild += search_index.create_statements("sqlite")
    if search_index.NAME_FTS_TABLE in names:
        for statement_text in search_index.SQLITE_NAME_DROP:
            await conn.exec_driver_sql(statement_text)
        rebuild += search_index.name_index_create_statements("sqlite")
    return rebuild


def _order(tables: dict[str, Table], wanted: set[str]) -> list[str]:
    """Parents first. A cycle is broken at a table whose links into it may be empty for a
    moment (they are filled in once every row is in)."""
    order: list[str] = []
    remaining = sorted(wanted)
    while remaining:

        def waiting(name: str, done: frozenset[str] = frozenset(order)) -> list[Any]:
            return [
                fk
                for fk in tables[name].foreign_keys
                if fk.column.table.name in wanted
                and fk.column.table.name != name
                and fk.column.table.name not in done
            ]

        ready = [n for n in remaining if not waiting(n)]
        if not ready:
            breakable = [n for n in remaining if all(fk.parent.nullable for fk in waiting(n))]
            ready = breakable[:1] or remaining[:1]
        order += ready
        remaining = [n for n in remaining if n not in ready]
    return order


def _batches(archive: zipfile.ZipFile, name: str) -> Iterator[list[list[Any]]]:
    """Rows in batches; each batch parsed as one JSON array (one call, not one per row)."""
    lines: list[str] = []
    with archive.open(f"tables/{name}.jsonl") as entry:
        for line in io.TextIOWrapper(entry, encoding="utf-8"):
            if line.strip():
                lines.append(line)
            if len(lines) >= BATCH:
                yield json.loads("[" + ",".join(lines) + "]")
                lines = []
    if lines:
        yield json.loads("[" + ",".join(lines) + "]")


def _insert_sql(paramstyle: str, table: str, columns: list[str]) -> str:
    """A plain INSERT for executemany with tuples: no per-row work in SQLAlchemy."""
    if paramstyle == "qmark":
        marks = ["?"] * len(columns)
    elif paramstyle in ("numeric_dollar", "numeric"):
        prefix = "$" if paramstyle == "numeric_dollar" else ":"
        marks = [f"{prefix}{i}" for i in range(1, len(columns) + 1)]
    else:
        marks = ["%s"] * len(columns)
    quoted = ", ".join(f'"{column}"' for column in columns)
    return f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join(marks)})'


async def transfer(
    source: AsyncEngine, target: AsyncEngine, work: Path, now: datetime, replace: bool = False
) -> dict[str, int]:
    """Copy ``source`` into ``target`` through a backup file; returns the checked counts."""
    manifest = await backup(source, work, now)
    await restore(target, work, replace=replace)
    counts = await table_counts(target)
    expected = manifest.counts()
    wrong = {n: (expected[n], counts.get(n)) for n in expected if counts.get(n) != expected[n]}
    if wrong:
        raise BackupError("counts_differ", json.dumps(wrong))
    return expected
