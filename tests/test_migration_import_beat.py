"""0035: import batches get a heartbeat; one left open before it has none, and is taken as
interrupted a day after its ``created_at`` (crm.imports.batch_row.sweep): during a rolling
upgrade an older instance may still be running it, never beating. Run on SQLite and, when
TEST_POSTGRES_URL is set, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from crm.imports.batch_row import sweep
from storage.engine import create_session_factory
from storage.migrate import alembic_config, current_revision, upgrade
from storage.models import ImportBatch
from tests.test_migrations_data import downgrade_to

ROWS = [
    "INSERT INTO users (id, full_name, role, active, language, timezone, created_at,"
    " morning_list) VALUES (1, 'Owner', 'owner', TRUE, 'ru', 'Europe/Moscow', '2026-01-01',"
    " TRUE)",
    *(
        "INSERT INTO import_batches (id, file_name, created_by, created_at, policy, mapping,"
        f" counts) VALUES ({i}, 'a.csv', 1, '{day}', 'skip', '[]', '{{}}')"
        for i, day in ((1, "2026-01-01 10:00:00"), (2, "2026-01-01 11:59:00"))
    ),
    "INSERT INTO import_items (batch_id, entity, record_id, action, before)"
    " VALUES (1, 'client', 10, 'created', '{}')",
]


async def test_an_import_left_open_before_the_beats_is_taken_as_interrupted(
    empty_engine: AsyncEngine,
) -> None:
    await upgrade(empty_engine, "0034")
    async with empty_engine.begin() as conn:
        for row in ROWS:
            await conn.execute(text(row))
    await upgrade(empty_engine)
    async with create_session_factory(empty_engine)() as session:
        # Three minutes on: an older instance may be running them (no beats): both open.
        await sweep(session, datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
        open_ = select(func.count()).where(ImportBatch.finished_at.is_(None))
        assert await session.scalar(open_) == 2
        await sweep(session, datetime(2026, 1, 2, 10, 1, tzinfo=UTC))  # a day after the first
        old = await session.get(ImportBatch, 1, populate_existing=True)
        recent = await session.get(ImportBatch, 2, populate_existing=True)
        assert old is not None and recent is not None
        assert old.beat_at is None and old.finished_at is not None
        assert old.counts["interrupted"] == 1 and old.counts["created"] == 1
        assert recent.finished_at is None  # a day has not passed since it began


async def test_back_down_the_batches_keep_their_items(empty_engine: AsyncEngine) -> None:
    await upgrade(empty_engine, "0034")
    async with empty_engine.begin() as conn:
        for row in ROWS:
            await conn.execute(text(row))
    await upgrade(empty_engine)
    if empty_engine.dialect.name == "sqlite":
        await downgrade_to(empty_engine, "0034")
    else:
        async with empty_engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0034"))
    assert await current_revision(empty_engine) == "0034"
    async with empty_engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM import_batches"))).scalar() == 2
        assert (await conn.execute(text("SELECT count(*) FROM import_items"))).scalar() == 1
