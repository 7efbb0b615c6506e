"""The one async engine and session factory, and write transactions.

SQLite allows one writer at a time. A transaction that reads and then writes
can fail at once with "database is locked" when another writer got in between,
because SQLite cannot wait for a lock it would have to upgrade. So every
transaction that will write starts with ``BEGIN IMMEDIATE`` (it takes the
write lock up front and waits for it up to the busy timeout), while reads stay
plain ``BEGIN`` and never block anyone in WAL mode. PostgreSQL needs none of
this and gets its defaults. A lone read (``read_row``) sends no ``BEGIN`` at
all on SQLite: one statement is a transaction of its own there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import Executable, Row, event, inspect, orm
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_driver
from storage.write_gate import gate_for

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 15_000
_WRITE_OPTION = "kartoteka_write"
_LONE_READ_OPTION = "kartoteka_lone_read"
_LONE_WRITE_OPTION = "kartoteka_lone_write"
_CONNECTED = "kartoteka_connected"  # session.info: it took a connection since it was closed


class DatabaseGone(RuntimeError):
    """The SQLite file was deleted or replaced under the running bot.

    Its open connections would go on writing into the deleted file, and every
    change would be lost at the next restart; so no write begins any more.
    """


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if make_url(url).drivername == "sqlite+aiosqlite":  # one trip to its thread per statement
        kwargs["connect_args"] = {"async_creator_fn": sqlite_driver.connect} | kwargs.get(
            "connect_args", {}
        )
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino)


def _configure_sqlite(engine: AsyncEngine) -> None:
    path = engine.url.database or ""
    watched = bool(path) and path != ":memory:" and not path.startswith("file:")
    known: dict[str, tuple[int, int] | None] = {}

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (and stop the driver's implicit COMMIT before DDL).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if watched and "file" not in known:
            known["file"] = _file_identity(path)  # the file the first connection opened

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(_LONE_READ_OPTION, False):
            return  # one statement, a transaction of its own (see read_row)
        lone_write = options.get(_LONE_WRITE_OPTION, False)
        immediate = lone_write or options.get(_WRITE_OPTION, False)
        if immediate and watched and _file_identity(path) != known.get("file"):
            raise DatabaseGone(f"the database file {path} is gone or was replaced")
        if lone_write:
            return  # likewise (see write_row)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class SyncSession(orm.Session):
    """SQLAlchemy's session, noting in ``info`` when it takes a connection."""


@event.listens_for(SyncSession, "after_begin", insert=True)  # first: before any can fail
def _connected(sync: orm.Session, _transaction: object, _conn: object) -> None:
    sync.info[_CONNECTED] = True


class Session(AsyncSession):
    """SQLAlchemy's session, closed in place when it never took a connection.

    ``async with`` closes an ``AsyncSession`` in a task of its own, through a
    greenlet, so that a cancelled caller cannot leave a connection half given back.
    A session that never took one has nothing to give back: closing it only
    forgets its objects, which is done here directly (~35 µs less per update on a
    menu command that reads nothing: the member and the definitions come from
    caches). One that took a connection is closed as SQLAlchemy closes it."""

    sync_session_class = SyncSession

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        connected = self.sync_session.info.pop(_CONNECTED, False)
        if connected or not isinstance(self.sync_session, SyncSession):  # (not noted there)
            await super().__aexit__(type_, value, traceback)
        else:
            self.sync_session.close()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False)


async def read_row(engine: AsyncEngine, statement: Executable, params: dict[str, Any]) -> Row[Any]:
    """The one row of one read, on a connection of its own, outside any session.

    For a read made again and again with nothing else around it (the clock's
    "is anything due?" every second): on SQLite it goes without ``BEGIN`` (a
    lone statement reads one snapshot anyway), which saves a round trip to
    aiosqlite's thread each time. Elsewhere it is an ordinary transaction.
    """
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = await conn.execution_options(**{_LONE_READ_OPTION: True})
        return (await conn.execute(statement, params)).one()


async def write_row(
    engine: AsyncEngine, statement: Executable, params: dict[str, Any] | None = None
) -> None:
    """One change by one statement, in a transaction of its own, outside any session.

    For a small change that is never refused and needs nothing read first (the
    open card with several instances: one row by its id). On SQLite it goes
    without ``BEGIN`` and ``COMMIT`` (a lone statement is a transaction of its
    own): one round trip to aiosqlite's thread instead of three, in this
    process's turn for writers. Elsewhere it is an ordinary transaction.
    """
    await _on_its_own(engine, statement, params, _LONE_WRITE_OPTION)


async def write_rows(
    engine: AsyncEngine, statement: Executable, rows: list[dict[str, Any]]
) -> None:
    """``statement`` once for each of ``rows`` (its parameters), in one transaction of
    its own, outside any session: on SQLite from its ``BEGIN IMMEDIATE``, in this
    process's turn for writers. One row is ``write_row``."""
    if len(rows) == 1:
        await write_row(engine, statement, rows[0])
    elif rows:
        await _on_its_own(engine, statement, rows, _WRITE_OPTION)


async def _on_its_own(engine: AsyncEngine, statement: Executable, params: Any, option: str) -> None:
    """``statement`` in a transaction of its own; on SQLite begun as ``option`` says
    (``_on_begin``), in this process's turn for writers."""
    if engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            await conn.execute(statement, params)
        return
    # The connection first: never the turn while waiting for a connection.
    async with engine.connect() as conn, _turn(engine.sync_engine):
        conn = await conn.execution_options(**{option: True})
        await conn.execute(statement, params)
        # A lone write's commit has nothing to do (no trip: storage.sqlite_driver).
        await conn.commit()


@asynccontextmanager
async def write_transaction(
    session: AsyncSession, savepoint: bool = True
) -> AsyncIterator[AsyncSession]:
    """A transaction that will write: committed on success, undone on error.

    Any read transaction the session had open is finished first, so the write
    transaction begins with the write lock on SQLite. The work runs inside a
    SAVEPOINT: a refusal (an exception) undoes only that, and whatever it had
    changed is reloaded, so the objects a handler holds (the member, say) stay
    usable. A plain rollback would expire every object in the session, and the
    next attribute read would need I/O that async code cannot do implicitly.

    Without ``savepoint`` (for a write that is never refused, such as one
    update by primary key) there is no SAVEPOINT round trip; an error then
    rolls the whole transaction back and reloads what it expired, as above.

    A connection that drops mid-way cannot be cleaned up after: the driver's error
    is raised as it came, and the session, rolled back, takes a new connection.
    """
    if session.in_transaction():
        await session.commit()
    async with _turn(session.sync_session.get_bind()):
        await session.connection(execution_options={_WRITE_OPTION: True})
        try:
            if savepoint:
                async with session.begin_nested():
                    yield session
            else:
                yield session
                await session.flush()
        except BaseException:
            try:
                if not savepoint:
                    await session.rollback()
                await _reload_expired(session)
                await session.commit()
            except Exception as cleanup:
                # The connection is gone (dropped mid-way): SQLAlchemy's complaint about
                # the dead transaction would hide why; the session is rolled back and
                # takes a new connection when used again. Said, in case it was not that.
                log.warning("a failed write's clean-up failed too: %r", cleanup)
                await session.rollback()
            raise
        await session.commit()


def _turn(bind: Engine | Connection) -> AbstractAsyncContextManager[None]:
    """On SQLite, this process's writers one after another (see storage/write_gate.py)."""
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name != "sqlite":
        return nullcontext()
    return gate_for(engine, SQLITE_BUSY_TIMEOUT_MS / 1000).turn()


async def _reload_expired(session: AsyncSession) -> None:
    for instance in list(session.identity_map.values()):
        state = inspect(instance)
        if state.expired_attributes and not state.was_deleted:
            try:
                await session.refresh(instance)
            except InvalidRequestError:  # the row is gone: forget the object
                session.expunge(instance)
