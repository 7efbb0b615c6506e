"""An import its bot stopped under: killed mid-way (its batch left open, as a killed
process leaves it) it is taken as interrupted once its heartbeat is old, on /imports and
by its undo, and what it wrote is undone; one that still beats is running. A clean stop
cancels a running import, which closes as interrupted with what it stored."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.runner import finish_background, serve
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.errors import Conflict, ErrorCode
from crm.imports import batch_row, stale
from crm.imports.service import Imports
from crm.imports.stale import STALE
from crm.pace import Pace
from handlers.imports.callbacks import BatchAction, BatchCb
from storage.engine import create_session_factory
from storage.models import Client, Deal, ImportBatch, ImportItem
from tests.client_helpers import member
from tests.cluster import free_port
from tests.conftest import OWNER_ID, app_with
from tests.test_imports_links import finished

CSV = "\r\n".join(
    ["ФИО;Телефон;Сделка", "Иван;+79161234567;Окна", "Анна;+79161234568;", "Олег;+79161234569;"]
).encode("utf-8")


async def count(app: App, model: type[Any]) -> int:
    async with create_session_factory(app.engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def killed(app: App, user: SimulatedUser, clock: ManualClock, skip: str = "Skip") -> None:
    """The file imported, its batch then left as a process killed before closing it leaves
    it: open, no counts, its last beat now."""
    await user.send_document("база.csv", data=CSV)
    await user.press("▶")
    await user.press(skip)
    await finished(app)
    async with create_session_factory(app.engine)() as session:
        await session.execute(
            update(ImportBatch).values(
                finished_at=None, counts={}, last_event_id=None, beat_at=clock.now()
            )
        )
        await session.commit()


async def test_an_import_whose_beat_is_old_is_interrupted_and_undone(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await killed(app, owner_en, clock)
    clock.advance(STALE + timedelta(seconds=1))
    [screen] = await owner_en.send("/imports")
    assert "interrupted when the bot stopped; created 3, updated 0" in screen.text
    await owner_en.press("Undo #1", screen)
    [done] = await owner_en.press("Yes, undo")
    assert "Import undone: 3 cards removed, 0 restored, 1 deal removed." in done.text
    assert (await count(app, Client), await count(app, Deal)) == (0, 0)


async def test_the_undo_of_an_import_whose_beat_is_old_needs_no_list(
    app: App, owner: SimulatedUser, clock: ManualClock
) -> None:
    """In Russian; the undo pressed on a screen from before the list was read again."""
    await killed(app, owner, clock, "Пропустить")
    [screen] = await owner.send("/imports")
    assert "#1" in screen.text and "идёт" in screen.text and screen.buttons == []
    clock.advance(STALE + timedelta(seconds=1))
    undo = BatchCb(action=BatchAction.UNDO_YES, batch_id=1).pack()
    [done] = await owner.press_data(undo, screen)
    assert "удалены 3 карточки" in done.text
    assert await count(app, Client) == 0
    [screen] = await owner.send("/imports")
    assert "отменён" in screen.text
    async with create_session_factory(app.engine)() as session:
        batch = await session.scalar(select(ImportBatch))
    assert batch is not None and batch.counts["created"] == 3 and batch.counts["stopped"] == 1


async def test_an_import_that_still_beats_is_running(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await killed(app, owner_en, clock)
    clock.advance(STALE - timedelta(seconds=1))
    [screen] = await owner_en.send("/imports")
    assert ": running" in screen.text and screen.buttons == []
    undo = BatchCb(action=BatchAction.UNDO_YES, batch_id=1).pack()
    assert await owner_en.press_data(undo, screen) == []
    assert owner_en.alert == "This import is still running; undo it when it has finished."
    async with app.crm.open() as crm:
        with pytest.raises(Conflict) as refused:
            await crm.import_undo.undo(await member(app, OWNER_ID), 1)
    assert refused.value.code == ErrorCode.IMPORT_RUNNING
    assert await count(app, Client) == 3


def stalled(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Imports that wait for ever once their first chunk (200 rows) is stored, between two
    chunks (as one giving way to members does); set once one waits."""
    written, given_way, waiting = Imports._chunk, Pace.give_way, asyncio.Event()

    async def first_chunk(self: Imports, *args: Any) -> None:
        await written(self, *args)
        waiting.set()

    async def wait_after_it(self: Pace) -> None:
        await given_way(self)
        if waiting.is_set():
            await asyncio.Event().wait()

    monkeypatch.setattr(Imports, "_chunk", first_chunk)
    monkeypatch.setattr(Pace, "give_way", wait_after_it)
    return waiting


async def send_250(user: SimulatedUser) -> None:
    rows = [f"Клиент {n};+7916{n:07d}" for n in range(250)]  # more than the first chunk's 200
    await user.send_document("база.csv", data="\r\n".join(["ФИО;Телефон", *rows]).encode())
    await user.press("▶")
    await user.press("Skip")


async def test_a_clean_stop_cancels_an_import_closed_as_interrupted(
    database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot serving (webhook mode) is told to stop while an import runs."""
    waiting = stalled(monkeypatch)
    hook = {"webhook_url": "https://bot.example.com/hook", "webhook_secret": "s"}
    async with app_with(
        database_url, clock, web_port=free_port(), shutdown_seconds=2, **hook
    ) as app:
        async with app.crm.open() as crm:
            await crm.members.set_language(await member(app, OWNER_ID), "en")
        owner = SimulatedUser(app.dispatcher, app.bot, OWNER_ID, "Olga", language_code="en")
        await send_250(owner)
        await asyncio.wait_for(waiting.wait(), 10)
        stop = asyncio.Event()
        serving = asyncio.create_task(serve(app, "kartoteka_bot", stop))
        await asyncio.sleep(0.2)
        stop.set()
        await asyncio.wait_for(serving, 10)
        assert not app.dispatcher["background"]
        assert any("the bot is restarting" in m.text for m in owner.chat_messages())
        assert await count(app, Client) == 200
        assert await count(app, ImportItem) == 200
        [screen] = await owner.send("/imports")
        assert "interrupted when the bot stopped; created 200, updated 0" in screen.text
        await owner.press("Undo #1", screen)
        [done] = await owner.press("Yes, undo")
        assert "200 cards removed" in done.text
        assert await count(app, Client) == 0


async def test_an_import_taken_for_dead_while_it_ran_writes_no_more(
    app: App, owner_en: SimulatedUser, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its beat came too late and another instance closed it: its next chunk stops it."""
    given_way = Pace.give_way
    swept = False

    async def sweep_once(self: Pace) -> None:
        nonlocal swept
        await given_way(self)
        async with create_session_factory(app.engine)() as session:
            open_ones = await session.scalar(
                select(func.count(ImportItem.id)).where(ImportItem.entity == "client")
            )
            if open_ones and not swept:  # the first chunk is stored
                swept = True
                later = clock.now() + STALE + timedelta(seconds=1)
                await batch_row.sweep(session, later)
                await session.commit()

    monkeypatch.setattr(Pace, "give_way", sweep_once)
    await send_250(owner_en)
    await finished(app)
    said = owner_en.chat_messages()[-1].text
    assert swept and "gave no sign of progress for too long" in said
    assert await count(app, Client) == 200
    assert await count(app, ImportItem) == 200
    async with create_session_factory(app.engine)() as session:
        batch = await session.scalar(select(ImportBatch))
    assert batch is not None and batch.counts["created"] == 200 and batch.counts["stopped"]


async def beat_at(app: App) -> datetime | None:
    async with create_session_factory(app.engine)() as session:
        return await session.scalar(select(ImportBatch.beat_at))


async def test_each_chunk_of_an_import_beats(
    app: App, owner_en: SimulatedUser, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    given_way = Pace.give_way

    async def a_minute_each(self: Pace) -> None:  # a slow import: a minute between chunks
        clock.advance(timedelta(minutes=1))
        await given_way(self)

    monkeypatch.setattr(Pace, "give_way", a_minute_each)
    await send_250(owner_en)
    await finished(app)
    async with create_session_factory(app.engine)() as session:
        batch = await session.scalar(select(ImportBatch))
    assert batch is not None and batch.beat_at is not None and batch.finished_at is not None
    assert batch.finished_at - batch.beat_at < timedelta(minutes=1)  # the last chunk's
    assert batch.beat_at - batch.created_at >= timedelta(minutes=1)


async def test_an_import_waiting_between_chunks_beats_and_is_not_taken_for_dead(
    app: App, owner_en: SimulatedUser, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = stalled(monkeypatch)
    monkeypatch.setattr(stale, "BEAT", timedelta(milliseconds=50))
    await send_250(owner_en)
    await asyncio.wait_for(waiting.wait(), 10)
    clock.advance(STALE * 2)
    for _ in range(100):
        if await beat_at(app) == clock.now():
            break
        await asyncio.sleep(0.05)
    assert await beat_at(app) == clock.now()
    [screen] = await owner_en.send("/imports")
    assert ": running" in screen.text
    await finish_background(app.dispatcher["background"], 1.0)
    [screen] = await owner_en.send("/imports")
    assert "interrupted when the bot stopped; created 200, updated 0" in screen.text


async def test_a_chunk_slower_than_stale_is_not_taken_for_dead(
    app: App, owner_en: SimulatedUser, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk that takes longer than STALE (a slow disk, a stalled database) beats as it
    ends: a sweep right after it (another instance's /imports) leaves the import running."""
    written, given_way = Imports._chunk, Pace.give_way
    swept = False

    async def slow_chunk(self: Imports, *args: Any) -> None:
        await written(self, *args)
        clock.advance(STALE + timedelta(minutes=1))  # its rows took that long

    async def sweep_after_the_first(self: Pace) -> None:
        nonlocal swept
        await given_way(self)
        if await count(app, ImportItem) and not swept:  # the first (slow) chunk is stored
            swept = True
            async with create_session_factory(app.engine)() as session:
                await batch_row.sweep(session, clock.now())
                await session.commit()

    monkeypatch.setattr(Imports, "_chunk", slow_chunk)
    monkeypatch.setattr(Pace, "give_way", sweep_after_the_first)
    await send_250(owner_en)
    await finished(app)
    assert swept and "stopped" not in owner_en.chat_messages()[-1].text
    assert await count(app, Client) == 250
    async with create_session_factory(app.engine)() as session:
        batch = await session.scalar(select(ImportBatch))
    assert batch is not None and batch.counts["created"] == 250
    assert "interrupted" not in batch.counts
