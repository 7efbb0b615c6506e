"""An import that stops on an error mid-way is closed as interrupted with what it stored, so
that can be undone (the flow says so), in its rows phase or in its links phase."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.imports.linker import Linker
from crm.imports.service import Imports
from storage.models import Client, ImportBatch, Link
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_imports_links import finished, suppliers


async def count(app: App, model: type[Any]) -> int:
    async with app.crm.open() as crm:
        return int(await crm.clients._session.scalar(select(func.count()).select_from(model)) or 0)


async def test_rows_stored_before_an_error_can_be_undone(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = Imports._chunk
    calls = 0

    async def second_fails(self: Imports, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the disk is full")
        await written(self, *args)

    monkeypatch.setattr(Imports, "_chunk", second_fails)
    rows = [f"Клиент {n};+7916{n:07d}" for n in range(250)]  # more than the first chunk's 200
    csv = "\r\n".join(["ФИО;Телефон", *rows]).encode("utf-8")
    await owner_en.send_document("база.csv", data=csv)
    await owner_en.press("Preview")
    await owner_en.press("Skip them")
    await finished(app)
    assert "stopped on an error" in owner_en.chat_messages()[-1].text
    assert await count(app, Client) == 200

    [screen] = await owner_en.send("/imports")
    assert "interrupted by an error; created 200, updated 0, rejected 0" in screen.text
    await owner_en.press("Undo #1")
    [done] = await owner_en.press("Yes, undo")
    assert "200 cards removed" in done.text
    assert await count(app, Client) == 0


async def test_an_import_that_fails_in_its_links_is_undone_by_the_crm(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fails(self: Linker, pairs: list[Any]) -> None:
        raise RuntimeError("lost the connection")

    monkeypatch.setattr(Linker, "_insert", fails)
    await suppliers(app, "ЛедЗавод")
    csv = "\r\n".join(["ФИО;Поставщики", "Иван;ЛедЗавод", "Анна;ЛедЗавод"]).encode("utf-8")
    await owner_en.send_document("база.csv", data=csv)
    await owner_en.press("Preview")
    await owner_en.press("Skip them")
    await finished(app)
    assert "can be undone in /imports" in owner_en.chat_messages()[-1].text

    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        [batch] = await crm.imports.batches(owner)
        assert batch.finished_at is not None
        assert batch.counts["interrupted"] == 1 and batch.counts["created"] == 2
        assert batch.counts["links"] == 0
        done = await crm.import_undo.undo(owner, batch.id)
    assert (done.removed, done.links) == (2, 0)
    assert await count(app, Client) == 0
    assert await count(app, Link) == 0
    async with app.crm.open() as crm:
        [batch] = await crm.imports.batches(owner)
        assert isinstance(batch, ImportBatch) and batch.undone_at is not None
