"""The SQLite driver (``storage.sqlite_driver``): one trip to aiosqlite's thread per
statement, every row of a result however long, streams read in batches, errors that
leave the connection usable, and the counts SQLAlchemy reads (rowcount, lastrowid)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.engine import create_engine, write_row
from storage.sqlite_driver import INLINE_BUDGET_S, PREFETCH, OneTripConnection, connect

COUNT_TO = text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) "
    "SELECT x FROM c WHERE x <= :n"
)


class Trips:
    """Counts the calls queued for aiosqlite's thread (each one a round trip)."""

    def __init__(self, queue: Any) -> None:
        self._queue = queue
        self.count = 0

    def put_nowait(self, item: Any) -> None:
        self.count += 1
        self._queue.put_nowait(item)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    yield engine
    await engine.dispose()


async def trips_of(conn: AsyncConnection) -> Trips:
    driver = (await conn.get_raw_connection()).driver_connection
    assert isinstance(driver, OneTripConnection)
    trips = Trips(driver._tx)
    driver._tx = trips  # type: ignore[assignment]
    return trips


async def test_a_statement_is_one_trip_to_the_thread(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # BEGIN and the first statement
        trips = await trips_of(conn)
        for n in (0, 1, 5):
            assert (await conn.execute(COUNT_TO, {"n": n})).scalars().all() == list(range(1, n + 1))
        # aiosqlite through SQLAlchemy's adapter: cursor, execute, fetchall, close each.
        assert trips.count == 3


@pytest.mark.parametrize("n", [0, 1, PREFETCH - 1, PREFETCH, PREFETCH + 1, 2 * PREFETCH + 7])
async def test_every_row_is_read_whole_and_streamed(engine: AsyncEngine, n: int) -> None:
    expected = list(range(1, n + 1))
    async with engine.connect() as conn:
        assert (await conn.execute(COUNT_TO, {"n": n})).scalars().all() == expected
        trips = await trips_of(conn)
        streamed = await conn.stream(COUNT_TO.execution_options(yield_per=100), {"n": n})
        rows = [row.x async for part in streamed.partitions(100) for row in part]
        assert rows == expected
        # Read a batch per trip, not all at once with the statement.
        assert 1 + max(n - 1, 0) // PREFETCH <= trips.count <= 2 + n // PREFETCH
        one = await conn.stream(COUNT_TO, {"n": n})
        assert [row.x async for row in one] == expected


async def test_a_stream_closed_half_read_leaves_no_statement_running(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        await conn.execute(text(f"INSERT INTO t SELECT x FROM ({COUNT_TO})"), {"n": 999})
        result = await conn.stream(text("SELECT x FROM t").execution_options(yield_per=10))
        assert len(await result.fetchmany(10)) == 10
        await result.close()
        # SQLite refuses to drop a table a statement of the same connection still reads.
        await conn.execute(text("DROP TABLE t"))


async def test_errors_reach_the_caller_and_the_connection_goes_on(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        with pytest.raises(OperationalError, match="no such table"):
            await conn.execute(text("SELECT * FROM nowhere"))
        insert = text("INSERT INTO t (v) VALUES (:v)")
        with pytest.raises(IntegrityError, match="UNIQUE"):
            await conn.execute(insert, [{"v": "a"}, {"v": "b"}, {"v": "a"}])
        await conn.rollback()
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        assert (await conn.execute(insert, [{"v": "a"}, {"v": "b"}])).rowcount == 2
        assert (await conn.execute(insert, {"v": "c"})).lastrowid == 3
        changed = await conn.execute(text("UPDATE t SET v = v || '!' WHERE id < 3"))
        assert changed.rowcount == 2
        rows = (await conn.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
        assert [tuple(row) for row in rows] == [(1, "a!"), (2, "b!"), (3, "c")]


@pytest.mark.parametrize("n", [1, PREFETCH, PREFETCH + 1, 3 * PREFETCH])
async def test_a_change_that_returns_its_rows_counts_them_all(engine: AsyncEngine, n: int) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        insert = text(f"INSERT INTO t SELECT x FROM ({COUNT_TO}) RETURNING x")
        inserted = await conn.execute(insert, {"n": n})
        assert inserted.rowcount == n
        assert sorted(inserted.scalars().all()) == list(range(1, n + 1))
        changed = await conn.execute(text("UPDATE t SET x = -x RETURNING x"))
        assert changed.rowcount == n
        assert len(changed.all()) == n


async def test_a_read_runs_in_place_and_a_write_in_the_thread(engine: AsyncEngine) -> None:
    """A SELECT, a plain BEGIN and the end of a transaction that only read make no trip;
    a change, BEGIN IMMEDIATE and the commit of what they changed make one each. A read
    in place sees what the transaction changed."""
    async with engine.connect() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        await conn.commit()
        trips = await trips_of(conn)
        for _ in range(3):
            await conn.execute(text("SELECT count(*) FROM t"))  # BEGIN, then the read
            await conn.commit()
            await conn.execute(text("SELECT 1"))
            await conn.rollback()
        assert trips.count == 0
        await conn.execute(text("INSERT INTO t VALUES (1), (2)"))  # in the BEGIN in place
        assert trips.count == 1
        assert (await conn.execute(text("SELECT sum(x) FROM t"))).scalar() == 3
        await conn.rollback()  # it wrote: in the thread
        assert trips.count == 2
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0
        await conn.commit()
        assert trips.count == 2

    async with engine.connect() as conn:
        conn = await conn.execution_options(kartoteka_write=True)  # BEGIN IMMEDIATE
        trips = await trips_of(conn)
        await conn.execute(text("SELECT 1"))
        await conn.execute(text("INSERT INTO t VALUES (5)"))
        await conn.commit()
        assert trips.count == 3  # BEGIN IMMEDIATE, the insert, the commit
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT x FROM t"))).scalars().all() == [5]


async def test_a_lone_write_is_one_trip(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``write_row``: one statement with no BEGIN or COMMIT around it, one trip in all,
    and committed. One that fails changes nothing and leaves the connection usable."""
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER UNIQUE)"))
        await conn.execute(text("INSERT INTO t VALUES (1), (2)"))
    trips: list[str] = []
    run = OneTripConnection.run

    async def counted(self: OneTripConnection, function: Any, *args: Any) -> Any:
        trips.append(getattr(function, "__name__", "?"))
        return await run(self, function, *args)

    monkeypatch.setattr(OneTripConnection, "run", counted)
    await write_row(engine, text("UPDATE t SET x = 3 WHERE x = 1"))
    assert len(trips) == 1
    with pytest.raises(IntegrityError):
        await write_row(engine, text("UPDATE t SET x = 3"))  # 2 would become 3 as well
    await write_row(engine, text("UPDATE t SET x = 4 WHERE x = 2"))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT x FROM t ORDER BY x"))).scalars().all() == [3, 4]


async def test_a_long_read_is_handed_to_the_thread_whole(engine: AsyncEngine) -> None:
    """Past the budget a read is interrupted and run again in the thread: the full
    answer, in the same transaction, which goes on."""
    async with engine.connect() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        await conn.execute(text(f"INSERT INTO t SELECT x FROM ({COUNT_TO})"), {"n": 2_000})
        await conn.commit()
        trips = await trips_of(conn)
        started = time.perf_counter()
        long = text("SELECT count(*), sum(a.x * b.x % 7) FROM t AS a, t AS b")
        count, total = (await conn.execute(long)).one()
        assert count == 4_000_000 and total == sum(
            a * b % 7 for a in range(1, 2001) for b in range(1, 2001)
        )
        assert trips.count == 1
        assert time.perf_counter() - started > INLINE_BUDGET_S
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 2_000
        assert trips.count == 1  # the next short read is in place again
        driver = (await conn.get_raw_connection()).driver_connection
        assert isinstance(driver, OneTripConnection)
        driver._sent += 1  # the thread is busy with this connection: nothing in place
        try:
            await conn.execute(text("SELECT 1"))
        finally:
            driver._sent -= 1
        assert trips.count == 2


async def test_a_read_in_place_that_fails_tells_the_caller(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        trips = await trips_of(conn)
        with pytest.raises(OperationalError, match="no such table"):
            await conn.execute(text("SELECT * FROM nowhere"))
        with pytest.raises(OperationalError, match="integer overflow"):
            await conn.execute(text("SELECT abs(-9223372036854775808)"))
        assert (await conn.execute(text("SELECT 2"))).scalar() == 2
        assert trips.count == 0


async def test_a_read_that_would_wait_for_its_snapshot_waits_in_the_thread(
    tmp_path: Path,
) -> None:
    """Another connection holds the lock a read needs for its snapshot (a rollback
    journal's exclusive lock; in WAL mode, a log being recovered): the read is not to
    wait in place (no busy timeout there), so it waits in the thread, the busy
    timeout's way, while the event loop goes on; then it reads."""
    path = tmp_path / "journal.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (x INTEGER)")
        setup.execute("INSERT INTO t VALUES (7)")
    conn = await connect(str(path), isolation_level=None)
    other = sqlite3.connect(path, isolation_level=None)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        cursor = conn.cursor()
        await cursor.execute("PRAGMA busy_timeout=15000")
        await conn.commit()  # (not a read: it ends in the thread)
        other.execute("BEGIN EXCLUSIVE")
        other.execute("INSERT INTO t VALUES (8)")
        asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
        trips = Trips(conn._tx)
        conn._tx = trips  # type: ignore[assignment]
        started = time.perf_counter()
        await cursor.execute("SELECT sum(x) FROM t")
        assert await cursor.fetchall() == [(15,)]
        assert time.perf_counter() - started >= 0.25
        assert trips.count == 1
        assert ticks >= 10  # the event loop was not held
        await cursor.execute("BEGIN")
        await cursor.execute("SELECT count(*) FROM t")
        await cursor.execute("SELECT 1")  # the snapshot taken: no guard, no trip
        await conn.commit()  # it only read
        assert trips.count == 1
        await cursor.execute("PRAGMA busy_timeout")
        assert await cursor.fetchall() == [(15_000,)]  # given back after the reads
    finally:
        ticker.cancel()
        other.close()
        await conn.close()
