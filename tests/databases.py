"""Test databases: a migrated SQLite template copied per test; and, from
TEST_POSTGRES_URL, two PostgreSQL databases per run (per xdist worker): a migrated one
emptied before each test, and a blank one (``blank_postgres``) whose schemas are dropped
before each test that needs a database with nothing in it."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.engine import create_engine
from storage.migrate import upgrade

POSTGRES_ENV = "TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV, "").strip()
    return url or None


def make_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"

    async def _migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(_migrate())
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


def create_postgres_database(admin_url: str, migrated: bool = True) -> str:
    """A fresh database beside the one in ``admin_url``, migrated unless told not to;
    returns its URL."""
    name = f"kartoteka_test_{uuid.uuid4().hex[:12]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    async def _create() -> None:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await admin.dispose()
        if not migrated:
            return
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(_create())
    return url


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database

    async def _drop() -> None:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await admin.dispose()

    asyncio.run(_drop())


# Every table emptied and every sequence restarted in one round trip. DELETE with the
# foreign keys' triggers off (``session_replication_role``) instead of TRUNCATE: TRUNCATE
# gives each of some thirty tables and their indexes new files and took 0.3-0.9 s per test
# on this machine, the DELETE of a test's few rows 20-60 ms.
_EMPTY_ALL = """
DO $$ DECLARE r record; BEGIN
  -- What an earlier test left connected goes first (waiting up to 5 s for each to end), so
  -- it can neither hold a lock nor write a row after the emptying.
  PERFORM pg_terminate_backend(pid, 5000) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid();
  SET LOCAL session_replication_role = replica;
  SET LOCAL synchronous_commit = off;
  FOR r IN SELECT tablename FROM pg_tables
           WHERE schemaname = current_schema() AND tablename <> 'alembic_version' LOOP
    EXECUTE format('DELETE FROM %I', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
    PERFORM setval(format('%I', r.sequencename)::regclass, 1, false);
  END LOOP;
END $$;
"""


async def empty_postgres(url: str) -> None:
    """Empty every table of the migrated database at ``url`` (ids start again at 1)."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        try:
            await conn.execute(_EMPTY_ALL)
            return
        except asyncpg.InsufficientPrivilegeError:
            pass  # not a superuser: the triggers stay on, so TRUNCATE (slower) it is
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'"
        )
        if tables:
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


async def blank_postgres(url: str) -> None:
    """Make the database at ``url`` as a new one is: no tables, types, extensions nor
    schemas but an empty ``public``. (Cheaper than a new database per test: dropping one
    makes the whole server write a checkpoint, seconds when it is busy.)"""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            # What a test left connected (and maybe holding locks) goes, as DROP ... FORCE did.
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            schemas = (
                await conn.execute(
                    text(
                        "SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema'"
                        " AND nspname NOT LIKE 'pg\\_%'"
                    )
                )
            ).scalars()
            for schema in list(schemas):
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
