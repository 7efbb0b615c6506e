"""Closing a session (storage.engine.Session): in place when it never took a connection,
as SQLAlchemy closes it (in a task of its own, through a greenlet) when it did."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import nullcontext
from typing import Any

import pytest
from sqlalchemy import event, orm, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.engine import Session, create_engine, create_session_factory, write_transaction
from storage.models import AppSetting


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


class Pool:
    """Connections taken from the engine's pool and not given back."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.out = 0
        event.listen(engine.sync_engine.pool, "checkout", lambda *_: self._add(1))
        event.listen(engine.sync_engine.pool, "checkin", lambda *_: self._add(-1))

    def _add(self, n: int) -> None:
        self.out += n


@pytest.fixture
def closes(monkeypatch: pytest.MonkeyPatch) -> list[AsyncSession]:
    """Every session closed by SQLAlchemy's own ``close``."""
    seen: list[AsyncSession] = []
    close = AsyncSession.close

    async def counted(self: AsyncSession) -> None:
        seen.append(self)
        await close(self)

    monkeypatch.setattr(AsyncSession, "close", counted)
    return seen


async def test_a_session_that_took_no_connection_is_closed_in_place(
    engine: AsyncEngine, closes: list[AsyncSession]
) -> None:
    pool = Pool(engine)
    setting = AppSetting(key="k", value={"v": 1})
    async with create_session_factory(engine)() as session:
        session.add(setting)  # begins the session's transaction, takes no connection
        assert session.in_transaction()
    assert closes == [] and pool.out == 0
    assert setting not in session and not session.in_transaction()  # closed all the same
    async with create_session_factory(engine)() as session:
        assert await session.scalar(select(AppSetting).where(AppSetting.key == "k")) is None


async def _read(session: AsyncSession) -> None:
    await session.scalar(select(AppSetting.key))


async def _read_then_fail(session: AsyncSession) -> None:
    await _read(session)
    raise LookupError


async def _write(session: AsyncSession) -> None:
    async with write_transaction(session):
        session.add(AppSetting(key="written", value={"v": 1}))


async def _flush_without_commit(session: AsyncSession) -> None:
    session.add(AppSetting(key="flushed", value={"v": 1}))
    await session.flush()


async def _write_then_read(session: AsyncSession) -> None:
    await _write(session)
    await _read(session)


@pytest.mark.parametrize(
    "work",
    [_read, _read_then_fail, _write, _flush_without_commit, _write_then_read],
    ids=lambda work: work.__name__.strip("_"),
)
async def test_a_session_that_took_a_connection_gives_it_back(
    engine: AsyncEngine,
    closes: list[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[Any]],
) -> None:
    pool = Pool(engine)
    factory = create_session_factory(engine)
    session = factory()
    with pytest.raises(LookupError) if work is _read_then_fail else nullcontext():
        async with session:
            await work(session)
    assert closes == [session] and pool.out == 0
    async with session:  # used again after it was closed: closed the same way again
        await _read(session)
    assert closes == [session, session] and pool.out == 0
    async with factory() as check:
        kept = set(await check.scalars(select(AppSetting.key)))
    assert ("written" in kept) == (work in (_write, _write_then_read))
    assert "flushed" not in kept  # flushed, never committed: rolled back on close


async def test_a_session_of_another_kind_is_closed_as_sqlalchemy_closes_it(
    engine: AsyncEngine, closes: list[AsyncSession]
) -> None:
    pool = Pool(engine)
    session = Session(engine, sync_session_class=orm.Session)  # notes no connection taken
    async with session:
        await _read(session)
    assert closes == [session] and pool.out == 0
