"""The scheduler's tick when nothing is due: it reads, it never writes.

Runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.clock_work import Moments
from tests.conftest import OWNER_ID

WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN IMMEDIATE")


@contextmanager
def statements(app: App) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.strip())

    sync_engine = app.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


def writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.upper().startswith(WRITES)]


async def test_an_idle_tick_writes_nothing_before_and_after_the_summary(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")
    clock.set(datetime(2026, 3, 3, 5, 0, tzinfo=UTC))  # 08:00 Moscow: no summary yet
    with statements(app) as seen:
        assert await app.ticker.tick() == 0
    assert seen and writes(seen) == []

    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))  # 09:00: the summary goes out
    with statements(app) as seen:
        await app.ticker.tick()
    assert writes(seen)
    summaries = [m.text for m in owner_en.chat_messages() if m.text.startswith("Summary for")]
    assert len(summaries) == 1

    for _ in range(3):  # the rest of the day: nothing to do, nothing written
        clock.advance(timedelta(seconds=1))
        with statements(app) as seen:
            assert await app.ticker.tick() == 0
        assert writes(seen) == []
        # One read says no job has work (crm/clock_work.py), without BEGIN on SQLite: the
        # readers are not read again until one's digest may fall due (within a minute).
        # (The team's settings are read again once their copy is 5 s old, in real time.)
        settings_read = any("FROM app_settings" in s for s in seen)
        clock_reads = [
            s for s in seen if "FROM app_settings" not in s and not (settings_read and s == "BEGIN")
        ]
        assert len(clock_reads) == 1 and clock_reads[0].startswith("SELECT"), seen
        assert not [s for s in seen if "FROM users" in s]

    clock.set(datetime(2026, 3, 4, 6, 0, tzinfo=UTC))  # the next day's summary still comes
    await app.ticker.tick()
    summaries = [m.text for m in owner_en.chat_messages() if m.text.startswith("Summary for")]
    assert len(summaries) == 2


async def test_a_due_reminder_after_idle_ticks_still_goes_out(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))
    await app.ticker.tick()  # the summary
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.tasks.create(owner, "Call back", clock.now() + timedelta(minutes=2))
    clock.advance(timedelta(minutes=1))
    with statements(app) as seen:
        assert await app.ticker.tick() == 0
    assert writes(seen) == []
    clock.advance(timedelta(minutes=1))
    assert await app.ticker.tick() == 1
    assert "Call back" in owner_en.last_message().text


async def test_the_readers_are_read_again_within_a_minute_and_on_the_digest_minute(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")
    clock.set(datetime(2026, 3, 3, 5, 59, 30, tzinfo=UTC))  # 08:59:30 Moscow
    assert await app.ticker.tick() == 0
    clock.set(datetime(2026, 3, 3, 5, 59, 59, tzinfo=UTC))
    with statements(app) as seen:
        await app.ticker.tick()
    assert not [s for s in seen if "FROM users" in s]  # nobody's digest can be due yet
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))  # 09:00 sharp: read, and out it goes
    await app.ticker.tick()
    summaries = [m.text for m in owner_en.chat_messages() if m.text.startswith("Summary for")]
    assert len(summaries) == 1

    with statements(app) as seen:
        clock.advance(timedelta(seconds=59))
        await app.ticker.tick()
    assert not [s for s in seen if "FROM users" in s]
    with statements(app) as seen:
        clock.advance(timedelta(seconds=2))  # a minute on: read again (a new member, a zone)
        await app.ticker.tick()
    assert [s for s in seen if "FROM users" in s]


async def test_the_ticks_one_read_is_built_once_for_the_process(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Its expression is built by the first tick; later ticks only bind their moments
    (tests/test_reminders_engine.py shows the nudge's moment still moves with the clock)."""
    await owner_en.send("/start")
    await app.ticker.tick()
    built = app.crm.clock_read.built
    assert built is not None
    for _ in range(3):
        clock.advance(timedelta(seconds=1))
        assert await app.ticker.tick() == 0
    assert app.crm.clock_read.built is built


def test_moments_name_each_offset_once_and_give_its_value_at_a_tick() -> None:
    moments = Moments()
    now = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    cases = [(timedelta(0), now), (timedelta(hours=1), now - timedelta(hours=1))]
    names = [moments(offset).key for offset, _ in cases]
    assert moments(timedelta(0)).key == names[0]  # asked again: the same parameter
    assert len(set(names)) == len(cases)
    values = moments.values(now)
    for name, (_, expected) in zip(names, cases, strict=True):
        assert values[name] == expected


async def test_with_a_nightly_backup_on_the_owner_is_read_once_a_minute(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """The backup's hour is in its owner's zone as it is now: read each minute, not on
    every tick (before, each tick read the owners though nothing was due)."""
    await owner_en.send("/start")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.backups.set_nightly(owner, 3)
    clock.set(datetime(2026, 3, 3, 10, 0, 5, tzinfo=UTC))  # 13:00 Moscow: long past 03:00
    await app.ticker.tick()  # the summary and tonight's backup go out
    clock.advance(timedelta(seconds=1))
    await app.ticker.tick()  # the minute's read
    for _ in range(3):
        clock.advance(timedelta(seconds=1))
        with statements(app) as seen:
            assert await app.ticker.tick() == 0
        assert not [s for s in seen if "FROM users" in s or "max(outbox" in s], seen
    clock.set(datetime(2026, 3, 3, 10, 1, 0, tzinfo=UTC))  # a minute on: read again
    with statements(app) as seen:
        assert await app.ticker.tick() == 0
    assert [s for s in seen if "FROM users" in s], seen
    assert writes(seen) == []
