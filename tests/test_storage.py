"""Storage: SQLite connection settings, write transactions under concurrency, the
migrations against the models, and the UTC datetime column, on every backend."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import bindparam, event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.base import Base
from storage.engine import create_engine, create_session_factory, read_row, write_transaction
from storage.migrate import alembic_config, current_revision, upgrade
from storage.models import AppSetting, GroupChat, Invite, OutboxMessage, Role
from storage.search_index import include_object
from tests import databases

COUNTER = "test_counter"
MOMENT = datetime(2026, 3, 2, 12, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.fixture
async def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database of its own."""
    engine = create_engine(databases.sqlite_copy(sqlite_template, tmp_path))
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated, empty database of the test's backend."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


# --- SQLite connection settings -----------------------------------------------------


@pytest.mark.parametrize(
    ("pragma", "acceptable"),
    [
        ("journal_mode", lambda value: str(value).lower() == "wal"),
        ("foreign_keys", lambda value: value == 1),
        ("busy_timeout", lambda value: value >= 5000),
    ],
    ids=["wal", "foreign-keys", "busy-timeout"],
)
async def test_sqlite_connection_pragmas(
    sqlite_engine: AsyncEngine, pragma: str, acceptable: object
) -> None:
    async with create_session_factory(sqlite_engine)() as session:
        value = await session.scalar(text(f"PRAGMA {pragma}"))
    assert callable(acceptable)
    assert acceptable(value), f"PRAGMA {pragma} is {value!r}"


# --- write transactions on SQLite ---------------------------------------------------


async def _seed_counter(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, write_transaction(session):
        session.add(AppSetting(key=COUNTER, value={"n": 0}))


async def _read_counter(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        setting = await session.get(AppSetting, COUNTER)
        assert setting is not None
        return int(setting.value["n"])


async def test_concurrent_read_then_write_transactions_all_succeed(
    sqlite_engine: AsyncEngine,
) -> None:
    """Thirty writers that each read a counter and write it back: none is locked out,
    none loses another's update."""
    sessions = create_session_factory(sqlite_engine)
    await _seed_counter(sessions)

    async def bump() -> None:
        async with sessions() as session, write_transaction(session):
            setting = await session.get(AppSetting, COUNTER)
            assert setting is not None
            seen = int(setting.value["n"])
            await asyncio.sleep(0)  # let the other writers try to get in between
            setting.value = {"n": seen + 1}

    results = await asyncio.gather(*(bump() for _ in range(30)), return_exceptions=True)

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await _read_counter(sessions) == 30


async def test_a_lone_read_sends_no_begin_and_is_not_held_up_by_a_writer(
    sqlite_engine: AsyncEngine,
) -> None:
    """``read_row`` (the clock's idle read): one statement and no BEGIN; it reads what is
    committed while a writer holds the lock."""
    sessions = create_session_factory(sqlite_engine)
    await _seed_counter(sessions)
    seen: list[str] = []

    def record(_conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement.strip().upper())

    query = select(AppSetting.value).where(AppSetting.key == bindparam("key"))
    event.listen(sqlite_engine.sync_engine, "before_cursor_execute", record)
    try:
        async with sessions() as writer, write_transaction(writer):
            setting = await writer.get(AppSetting, COUNTER)
            assert setting is not None
            setting.value = {"n": 1}
            await writer.flush()  # written, not committed, the write lock held
            seen.clear()
            row = await asyncio.wait_for(read_row(sqlite_engine, query, {"key": COUNTER}), 5)
            assert row.value == {"n": 0}
            assert len(seen) == 1 and seen[0].startswith("SELECT"), seen
    finally:
        event.remove(sqlite_engine.sync_engine, "before_cursor_execute", record)
    row = await read_row(sqlite_engine, query, {"key": COUNTER})
    assert row.value == {"n": 1}


async def test_plain_begin_would_fail_where_begin_immediate_waits(
    sqlite_engine: AsyncEngine,
) -> None:
    """Why write transactions start with BEGIN IMMEDIATE.

    Two plain (deferred) transactions that both read and then write: the second
    writer's snapshot is stale once the first commits, and SQLite refuses it at
    once with "database is locked", whatever the busy timeout. The same
    interleaving through ``write_transaction`` makes the second wait instead.
    """
    sessions = create_session_factory(sqlite_engine)
    await _seed_counter(sessions)

    async with sessions() as first, sessions() as second:
        mine = await first.get(AppSetting, COUNTER)
        theirs = await second.get(AppSetting, COUNTER)
        assert mine is not None and theirs is not None
        mine.value = {"n": int(mine.value["n"]) + 1}
        await first.commit()
        theirs.value = {"n": int(theirs.value["n"]) + 1}
        with pytest.raises(OperationalError, match="database is locked"):
            await second.commit()
        await second.rollback()
    assert await _read_counter(sessions) == 1

    first_has_lock = asyncio.Event()
    release_first = asyncio.Event()

    async def first_writer() -> None:
        async with sessions() as session, write_transaction(session):
            setting = await session.get(AppSetting, COUNTER)
            assert setting is not None
            first_has_lock.set()
            await release_first.wait()
            setting.value = {"n": int(setting.value["n"]) + 1}

    async def second_writer() -> None:
        await first_has_lock.wait()
        async with sessions() as session, write_transaction(session):
            setting = await session.get(AppSetting, COUNTER)
            assert setting is not None
            setting.value = {"n": int(setting.value["n"]) + 1}

    first_task = asyncio.create_task(first_writer())
    second_task = asyncio.create_task(second_writer())
    await first_has_lock.wait()
    await asyncio.sleep(0.05)
    assert not second_task.done(), "the second writer got in while the first held the lock"
    release_first.set()
    await asyncio.gather(first_task, second_task)

    assert await _read_counter(sessions) == 3


# --- migrations ---------------------------------------------------------------------


def _schema_diff(connection: Connection) -> list[object]:
    # The options of storage/migrations/env.py: the search index is not in the models.
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(_schema_diff)
    assert diff == []


async def test_upgrade_from_empty_is_idempotent(empty_engine: AsyncEngine) -> None:
    assert await current_revision(empty_engine) is None

    await upgrade(empty_engine)
    await upgrade(empty_engine)

    assert await current_revision(empty_engine) == head_revision()
    async with empty_engine.connect() as conn:
        tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        diff = await conn.run_sync(_schema_diff)
    assert set(Base.metadata.tables) <= tables
    assert diff == []


async def test_groups_bound_before_the_leads_switch_keep_hearing_leads(
    empty_engine: AsyncEngine,
) -> None:
    """0023 makes "leads nobody has taken yet" a group's switch, on for the groups already
    bound (they heard such leads before), whatever else they had switched off."""
    await upgrade(empty_engine, "0022")
    async with empty_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, full_name, role, active, language, timezone,"
                " created_at, morning_list) VALUES (1, 'Owner', 'owner', true, 'ru',"
                " 'Europe/Moscow', '2026-01-01', true)"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO group_chats (chat_id, title, subscriptions, bound_by, bound_at)"
                " VALUES (-100, 'Team', :topics, 1, '2026-01-01')"
            ),
            {"topics": '["new_deal"]'},
        )
    await upgrade(empty_engine)
    async with empty_engine.connect() as conn:
        subscriptions = (await conn.execute(select(GroupChat.subscriptions))).scalar()
    assert subscriptions == ["new_deal", "lead_queue"]


async def test_fixture_database_is_at_head(engine: AsyncEngine) -> None:
    assert await current_revision(engine) == head_revision()


# --- UTC datetimes ------------------------------------------------------------------


def _outbox_row(key: str, moment: datetime) -> OutboxMessage:
    return OutboxMessage(
        dedupe_key=key,
        chat_id=1,
        kind="test",
        payload={},
        created_at=moment,
        next_attempt_at=moment,
    )


async def test_aware_datetime_round_trips_as_the_same_instant_in_utc(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    async with sessions() as session, write_transaction(session):
        session.add(_outbox_row("aware", MOMENT))

    async with sessions() as session:
        stored = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == "aware")
        )
        # Filtering by the same instant in another zone finds the row too.
        found = await session.scalar(
            select(OutboxMessage.id).where(
                OutboxMessage.created_at == MOMENT.astimezone(ZoneInfo("America/New_York"))
            )
        )
    assert stored is not None
    assert stored.created_at == MOMENT
    assert stored.created_at.tzinfo == UTC
    assert stored.created_at.utcoffset() == timedelta(0)
    assert (stored.created_at.hour, stored.created_at.minute) == (9, 30)
    assert stored.created_at.microsecond == MOMENT.microsecond
    assert found == stored.id


async def test_naive_datetime_is_refused(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    async with sessions() as session:
        with pytest.raises(StatementError, match="naive datetime") as raised:
            async with write_transaction(session):
                session.add(_outbox_row("naive", MOMENT.replace(tzinfo=None)))
        assert isinstance(raised.value.orig, ValueError)

    async with sessions() as session:
        assert await session.scalar(select(OutboxMessage.id)) is None


# --- foreign keys -------------------------------------------------------------------


async def test_foreign_keys_are_enforced(engine: AsyncEngine) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    sessions = create_session_factory(engine)
    async with sessions() as session:
        with pytest.raises(IntegrityError):
            async with write_transaction(session):
                session.add(
                    Invite(
                        token_hash="0" * 64,
                        role=Role.MANAGER,
                        created_by=999_999_999,  # nobody
                        created_at=now,
                        expires_at=now + timedelta(days=7),
                    )
                )

    async with sessions() as session:
        assert await session.scalar(select(Invite.id)) is None


@pytest.mark.parametrize("savepoint", [True, False])
async def test_a_refused_write_leaves_loaded_objects_usable(
    engine: AsyncEngine, savepoint: bool
) -> None:
    """A use case that raises inside write_transaction undoes its own changes only.

    The objects the caller loaded before (a handler's member) keep their values
    and can be read without I/O afterwards, which async SQLAlchemy requires;
    without a savepoint too (the whole transaction is undone and reloaded).
    """
    sessions = create_session_factory(engine)
    async with sessions() as session:
        async with write_transaction(session):
            session.add(AppSetting(key="kept", value={"n": 1}))
            session.add(AppSetting(key="touched", value={"n": 1}))
        kept = await session.get(AppSetting, "kept")
        touched = await session.get(AppSetting, "touched")
        assert kept is not None and touched is not None
        with pytest.raises(RuntimeError):
            async with write_transaction(session, savepoint=savepoint):
                touched.value = {"n": 2}
                session.add(AppSetting(key="new", value={}))
                await session.flush()
                raise RuntimeError("refused")
        # Plain attribute reads: these would raise MissingGreenlet on an expired object.
        assert kept.value == {"n": 1}
        assert touched.value == {"n": 1}
        assert await session.get(AppSetting, "new") is None


@pytest.mark.parametrize("savepoint", [True, False])
async def test_a_connection_dropped_mid_write_raises_the_drop_and_writes_nothing(
    engine: AsyncEngine, backend: str, savepoint: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL ends the connection inside a write: the caller gets the driver's
    error (the HTTP server answers it 503), not SQLAlchemy's PendingRollbackError
    from cleaning up after it; nothing is kept, and the session works again."""
    if backend != "postgres":
        pytest.skip("PostgreSQL's connections")
    sessions = create_session_factory(engine)
    async with sessions() as session:
        with pytest.raises(DBAPIError) as raised:
            async with write_transaction(session, savepoint=savepoint):
                session.add(AppSetting(key="dropped", value={}))
                await session.flush()
                pid = await session.scalar(text("SELECT pg_backend_pid()"))
                async with engine.connect() as other:
                    await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                    await other.commit()
                session.add(AppSetting(key="after", value={}))
        assert raised.value.connection_invalidated, raised.value
        # Leaving the savepoint met the dead connection too: said, not dropped. (Without
        # one, the clean-up's rollback is what a dead connection still takes.)
        assert ("a failed write's clean-up failed too" in caplog.text) is savepoint
        assert (
            await session.scalar(select(AppSetting.key).where(AppSetting.key == "dropped")) is None
        )
