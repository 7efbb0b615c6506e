"""An import whose bot is killed (no clean-up runs): while it reads the file, the new
fields it defined are named by its batch, which is taken as interrupted and undone with
them; after it read the file, /imports tells the rows it rejected too. An import stopped
by an error before it stored a row leaves no batch."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.runner import finish_background
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.clock import ManualClock
from crm.imports import service
from crm.imports.stale import STALE
from storage.engine import create_session_factory
from storage.models import ImportBatch, ImportItem
from tests.test_imports_stopped import stalled


async def field_names(app: App) -> list[str]:
    async with app.crm.open() as crm:
        return [f.name for f in await crm.fields.of(CardKind.CLIENT)]


async def test_a_bot_killed_while_the_file_is_read_leaves_its_new_field_to_the_undo(
    app: App, owner_en: SimulatedUser, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import hangs while it reads the rows (as a process killed there does: nothing
    more of it runs), its new field defined: the field is its batch's, taken back."""
    reading = asyncio.Event()

    async def killed_while_reading(*args: Any) -> Any:
        reading.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(service, "planned", killed_while_reading)
    data = "\r\n".join(["ФИО;Любимый цвет", "Иван;синий"]).encode("utf-8")
    await owner_en.send_document("база.csv", data=data)
    await owner_en.press("2. Любимый цвет")
    await owner_en.press("A new field named after the column")
    await owner_en.press("Preview")
    await owner_en.press("Skip them")
    await asyncio.wait_for(reading.wait(), 10)
    assert await field_names(app) == ["Любимый цвет"]
    async with create_session_factory(app.engine)() as session:
        items = list(await session.execute(select(ImportItem.entity, ImportItem.record_id)))
    assert [entity for entity, _id in items] == ["field"]

    clock.advance(STALE + timedelta(seconds=1))
    [screen] = await owner_en.send("/imports")
    assert "#1 база.csv" in screen.text
    assert "interrupted when the bot stopped; created 0, updated 0" in screen.text
    assert "rejected" not in screen.text  # its rows were never read
    await owner_en.press("Undo #1", screen)
    [done] = await owner_en.press("Yes, undo")
    assert "The field “Любимый цвет” it made is deleted too" in done.text
    assert await field_names(app) == []
    await finish_background(app.dispatcher["background"], 1.0)
    assert await field_names(app) == []


async def test_a_bot_killed_after_the_rows_were_read_tells_the_rejected_ones(
    app: App, owner_en: SimulatedUser, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between two chunks (it waits for ever there): /imports, once its beat is
    old, says what it created and the rows of the file it rejected."""
    waiting = stalled(monkeypatch)
    rows = [f"Клиент {n};+7916{n:07d}" for n in range(250)]  # more than the first chunk's 200
    rows[10:10] = ["Плохой;12", "Кривой;abc"]
    await owner_en.send_document("база.csv", data="\r\n".join(["ФИО;Телефон", *rows]).encode())
    await owner_en.press("▶")
    await owner_en.press("Skip")
    await asyncio.wait_for(waiting.wait(), 10)
    clock.advance(STALE + timedelta(seconds=1))
    *_progress, screen = await owner_en.send("/imports")  # its progress may come first
    assert "interrupted when the bot stopped; created 200, updated 0, rejected 2" in screen.text
    await finish_background(app.dispatcher["background"], 1.0)


async def test_an_import_refused_before_its_rows_leaves_no_batch(
    app: App, owner_en: SimulatedUser
) -> None:
    """Город made a new field clashes with the built-in City: the import stops before a
    row is stored, its batch gone with the field it defined first."""
    data = "\r\n".join(["ФИО;Любимый цвет;Город", "Иван;синий;Тула"]).encode("utf-8")
    await owner_en.send_document("база.csv", data=data)
    for column in ("2. Любимый цвет", "3. Город"):
        await owner_en.press(column)
        await owner_en.press("A new field named after the column")
    await owner_en.press("Preview")
    await owner_en.press("Create")
    await asyncio.gather(*list(app.dispatcher["background"]))
    assert "“Город” is a built-in field already" in owner_en.chat_messages()[-1].text
    assert await field_names(app) == []
    async with create_session_factory(app.engine)() as session:
        assert list(await session.scalars(select(ImportBatch))) == []
        assert list(await session.scalars(select(ImportItem))) == []
