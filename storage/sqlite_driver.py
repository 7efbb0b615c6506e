"""aiosqlite with one trip to its thread per statement instead of four.

aiosqlite runs every call on a sqlite3 connection in a thread of its own, and
SQLAlchemy's adapter makes a call for each step of a statement: open a cursor,
execute, fetch the rows, close the cursor. Each call is a round trip between
the event loop and that thread (two thread wake-ups, ~100 µs of CPU on a small
VM), while the statements a member's update runs take microseconds in SQLite:
the trips were most of what opening a card cost.

Here a cursor is opened, executed, read (up to ``PREFETCH`` rows) and closed in
one call. A longer result keeps its sqlite3 cursor open in the thread and the
rest is read when asked for: all of it at once for a buffered result, a batch
per trip (``max(size, PREFETCH)`` rows) for a stream, so streaming a big table
still holds one batch in memory. A statement that changes rows and returns
them (``RETURNING``) is read whole with the statement, so that its row count
is final. Everything else (the connection, ``isolation_level`` as SQLAlchemy sets it)
is aiosqlite's own.

A read goes no further than the event loop's own thread, unless it runs long
or would wait: a ``SELECT`` (and a plain ``BEGIN``, which takes no lock) is
run in place with a budget (``INLINE_BUDGET_S``); one still running when the
budget is spent is interrupted (SQLite's progress handler, between two steps
of its virtual machine: the budget is approximate), which undoes nothing but
that read, and run again in aiosqlite's thread. A trip costs more of the event
loop than most of the reads a member's update makes take in SQLite (~0.1 ms
against tens of microseconds), and a card or a search makes ten of them.

A read waits for a lock only to take its snapshot (the first of a transaction,
or one outside any; in WAL mode only while another connection recovers or
closes the log): that one runs in place with no busy timeout, and if SQLite
answers "busy" it goes to the thread, to wait there. Anything that writes
(``BEGIN IMMEDIATE``, the changes, a commit of a transaction that wrote) goes
to the thread as before: SQLite may wait up to the busy timeout, which the
event loop must never do. A commit or rollback ending a transaction that only
read (or none) is done in place too. The sqlite3 connection is opened with
``check_same_thread=False``: it is used from both threads, never at once
(nothing runs in place while a call is in the thread, or once closing began).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import aiosqlite

PREFETCH = 256
"""Rows read with the statement; a stream's later batches are at least this many."""

INLINE_BUDGET_S = 0.002
"""How long a read may run in the event loop's thread before it is handed to the thread."""
PROGRESS_STEPS = 1_000
"""SQLite's virtual machine steps between two looks at the budget (~10–50 µs)."""


def _reads(sql: str) -> bool:
    """A statement that only reads and takes no lock: a ``SELECT`` or a plain ``BEGIN``."""
    return sql.lstrip()[:6].upper() == "SELECT" or sql == "BEGIN"


_Outcome = tuple[Any, int, int | None, list[Any], sqlite3.Cursor | None]


class OneTripCursor:
    """The part of a DB-API cursor SQLAlchemy's aiosqlite adapter uses, awaitable."""

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._open: sqlite3.Cursor | None = None  # a result with rows left, in the thread
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        connection = self._connection
        reads = _reads(sql)
        outcome = connection.in_place(self._execute, sql, parameters) if reads else None
        if outcome is None:
            connection.wrote = connection.wrote or not reads  # even if it fails half done
            outcome = await connection.run(self._execute, sql, parameters)
        connection.began(sql)
        self.description, self.rowcount, self.lastrowid, self._rows, self._open = outcome
        return self

    async def executemany(self, sql: str, parameters: Any) -> OneTripCursor:
        self._connection.wrote = True
        outcome = await self._connection.run(self._execute_many, sql, parameters)
        self._connection.began(sql)
        self.description, self.rowcount, self.lastrowid, self._rows, self._open = outcome
        return self

    async def fetchone(self) -> Any:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = size if size is not None else self.arraysize
        if len(self._rows) < wanted and self._open is not None:
            self._rows += await self._connection.run(self._more, max(wanted, PREFETCH))
        taken, self._rows = self._rows[:wanted], self._rows[wanted:]
        return taken

    async def fetchall(self) -> list[Any]:
        if self._open is not None:
            self._rows += await self._connection.run(self._rest)
        taken, self._rows = self._rows, []
        return taken

    async def __aiter__(self) -> AsyncIterator[Any]:
        while rows := await self.fetchmany(PREFETCH):
            for row in rows:
                yield row

    async def close(self) -> None:
        self._rows = []
        if self._open is not None:
            await self._connection.run(self._close)

    # In aiosqlite's thread ---------------------------------------------------

    def _execute(self, sql: str, parameters: Any) -> _Outcome:
        self._close()
        cursor = self._connection.sqlite.cursor()
        try:
            cursor.execute(sql, () if parameters is None else parameters)
            return self._outcome(cursor)
        except BaseException:
            cursor.close()
            raise

    def _execute_many(self, sql: str, parameters: Sequence[Any]) -> _Outcome:
        self._close()
        cursor = self._connection.sqlite.cursor()
        try:
            cursor.executemany(sql, parameters)
            return self._outcome(cursor)
        except BaseException:
            cursor.close()
            raise

    @staticmethod
    def _outcome(cursor: sqlite3.Cursor) -> _Outcome:
        rows: list[Any] = []
        if cursor.description is not None:
            # One more than kept tells whether the result goes on.
            rows = cursor.fetchmany(PREFETCH + 1)
            if cursor.rowcount != -1:  # it changed rows (RETURNING): its count when done
                rows += cursor.fetchall()
        left = cursor if len(rows) > PREFETCH and cursor.rowcount == -1 else None
        outcome = (cursor.description, cursor.rowcount, cursor.lastrowid, rows, left)
        if left is None:
            cursor.close()
        return outcome

    def _more(self, size: int) -> list[Any]:
        assert self._open is not None
        rows = self._open.fetchmany(size)
        if len(rows) < size:
            self._close()
        return rows

    def _rest(self) -> list[Any]:
        assert self._open is not None
        rows = self._open.fetchall()
        self._close()
        return rows

    def _close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection whose cursors cost one trip to its thread per statement,
    and none for a short read."""

    wrote = False
    """The transaction open ran something other than reads (so its end goes to the thread)."""
    _snapshot = False  # the transaction open holds its snapshot (a read or a lock took it)
    _sent = 0  # calls sent to the thread (counted in the event loop's thread)
    _done = 0  # calls the thread finished (counted in that thread)
    _closing = False
    _busy_timeout: int | None = None  # the connection's, in ms (read when first needed)

    @property
    def sqlite(self) -> sqlite3.Connection:
        return self._conn

    async def run(self, function: Any, *args: Any) -> Any:
        """``function(*args)`` in aiosqlite's thread: one trip."""
        self._sent += 1
        return await self._execute(self._counted, function, *args)  # type: ignore[no-untyped-call]

    def _counted(self, function: Callable[..., Any], *args: Any) -> Any:
        try:
            return function(*args)
        finally:
            self._done += 1  # when the thread is done, even if the caller stopped waiting

    @property
    def _idle(self) -> bool:
        """Nothing of this connection's is in the thread, and it is not closing: it may
        be used here."""
        return self._sent == self._done and not self._closing and self._running

    def in_place(
        self, function: Callable[[str, Any], _Outcome], sql: str, parameters: Any
    ) -> _Outcome | None:
        """``function(sql, parameters)`` (a read) here, in the event loop's thread; None
        when it ran past ``INLINE_BUDGET_S`` and was interrupted, when it would have
        waited for a lock, or when the connection is busy in the thread or closing."""
        sqlite = self._connection
        if not self._idle or sqlite is None:
            return None
        guarded = not (self._snapshot and sqlite.in_transaction) and sql != "BEGIN"
        if guarded:  # it may have to wait for its snapshot: not here
            if self._busy_timeout is None:
                self._busy_timeout = int(sqlite.execute("PRAGMA busy_timeout").fetchone()[0])
            sqlite.execute("PRAGMA busy_timeout=0")
        deadline = time.perf_counter() + INLINE_BUDGET_S
        sqlite.set_progress_handler(lambda: time.perf_counter() > deadline, PROGRESS_STEPS)
        try:
            return function(sql, parameters)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY):
                return None
            raise
        finally:
            sqlite.set_progress_handler(None, 0)
            if guarded:
                sqlite.execute(f"PRAGMA busy_timeout={self._busy_timeout}")

    def began(self, sql: str) -> None:
        """After a statement ran: whether the transaction now holds its snapshot."""
        self._snapshot = sql != "BEGIN" and self._conn.in_transaction

    async def close(self) -> None:
        self._closing = True
        await super().close()

    async def commit(self) -> None:
        await self._end(self._conn.commit)

    async def rollback(self) -> None:
        await self._end(self._conn.rollback)

    async def _end(self, end: Callable[[], None]) -> None:
        """A transaction that only read (or none: a lone statement was its own) ends in
        place: no lock to wait for."""
        if (self.wrote and self._conn.in_transaction) or not self._idle:
            await self.run(end)
        else:
            end()
        self.wrote = self._snapshot = False

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """What ``aiosqlite.connect`` does, with a ``OneTripConnection``.

    SQLAlchemy's aiosqlite dialect calls it with the arguments it would give
    ``aiosqlite.connect`` (``connect_args={"async_creator_fn": connect}``).
    """

    def connector() -> sqlite3.Connection:
        opened: sqlite3.Connection = sqlite3.connect(
            database, **(kwargs | {"check_same_thread": False})
        )
        return opened

    connection = OneTripConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as the dialect does for aiosqlite's own
    return connection
