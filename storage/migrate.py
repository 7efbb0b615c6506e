"""Applying Alembic migrations from code, on the app's own async engine."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default).

    On SQLite a migration that changes a table copies it into a new one and drops the
    old (Alembic's batch mode). With foreign keys enforced, dropping a table that other
    rows point to would fail, or, worse, cascade and delete them; so, as SQLite's own
    procedure for altering tables says, they are off while migrating, and the whole
    database is checked with ``PRAGMA foreign_key_check`` before the change is kept.
    """
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if revision == "head" and await conn.run_sync(_at_head):
            return  # nothing to apply: not even the scripts need reading
        if sqlite:
            await conn.run_sync(sqlite_foreign_keys, False)  # outside any transaction, or ignored
        try:
            await conn.run_sync(_upgrade, revision)
            if sqlite:
                await conn.run_sync(_check_foreign_keys)
            await conn.commit()
        finally:
            if sqlite:
                await conn.rollback()  # nothing is left open when the pragma is set back
                await conn.run_sync(sqlite_foreign_keys, True)


def sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite's foreign key enforcement on or off (ignored inside a transaction)."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    cursor.close()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")


# Several processes starting at once on PostgreSQL: one migrates, the others wait for it
# (the lock lasts until the transaction ends) and then find nothing left to do.
_MIGRATION_LOCK = 7_250_001


# And then each reads whether the configured owners, the default pipeline and a setup code
# are there, and makes what is not: one process at a time, or two would make them both.
_SEEDING_LOCK = 7_250_002


@asynccontextmanager
async def seeding(engine: AsyncEngine) -> AsyncIterator[None]:
    """Start-up's first rows, made by one starting process at a time (PostgreSQL: an
    advisory lock held by a connection of its own until the block ends; SQLite has one
    writer anyway)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:  # its transaction, and the lock, end with it
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEEDING_LOCK})
        yield


@functools.cache
def _head() -> str | None:
    """The newest revision of the scripts (read once per process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _at_head(connection: Connection) -> bool:
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    connection.rollback()  # the look ends its transaction: the pragma above needs none open
    return heads == (_head(),)


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    command.upgrade(alembic_config(connection), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_read)
