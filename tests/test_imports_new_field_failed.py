"""A column that becomes a new field when the import runs: an import that stops before
storing a value of it (an error in its first chunk, a later column's field refused) takes
the field back; one whose stored chunks filled it keeps it with their values."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.imports.mapping import Target
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.imports.service import Imports
from crm.parsing.fields import FieldType
from storage.models import FieldValue
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID


async def finished(app: App) -> None:
    await asyncio.gather(*list(app.dispatcher["background"]))


async def field_names(app: App) -> list[str]:
    async with app.crm.open() as crm:
        return [f.name for f in await crm.fields.of(CardKind.CLIENT)]


def failing_chunk(monkeypatch: pytest.MonkeyPatch, failing: int) -> None:
    written = Imports._chunk
    calls = 0

    async def fails(self: Imports, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == failing:
            raise RuntimeError("the disk is full")
        await written(self, *args)

    monkeypatch.setattr(Imports, "_chunk", fails)


async def colour_import(owner: SimulatedUser, rows: int) -> None:
    """A file whose third column the owner makes a new field, imported."""
    lines = [f"Клиент {n};+7916{n:07d};синий" for n in range(rows)]
    data = "\r\n".join(["ФИО;Телефон;Любимый цвет", *lines]).encode("utf-8")
    await owner.send_document("база.csv", data=data)
    await owner.press("3. Любимый цвет")
    [screen] = await owner.press("A new field named after the column")
    assert "3. Любимый цвет → ➕ A new field named after the column" in screen.text
    await owner.press("Preview")
    await owner.press("Skip them")


async def both_new_and_created(app: App, owner: SimulatedUser, columns: tuple[str, str]) -> str:
    """Both columns made new fields, the file imported: what the import answered."""
    for column in columns:
        await owner.press(column)
        await owner.press("A new field named after the column")
    await owner.press("Preview")
    await owner.press("Create")
    await finished(app)
    return owner.chat_messages()[-1].text


async def test_an_import_failing_before_it_stored_a_row_leaves_no_new_field(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        budget = await crm.fields.define(owner, CardKind.CLIENT, "Бюджет", FieldType.TEXT)
    anna = await make_client(app, OWNER_ID, "Анна")
    async with app.crm.open() as crm:
        await crm.field_values.set(owner, CardRef(CardKind.CLIENT, anna.id), budget.id, "много")
    failing_chunk(monkeypatch, 1)
    await colour_import(owner_en, 3)
    await finished(app)
    assert "stopped on an error" in owner_en.chat_messages()[-1].text
    assert await field_names(app) == ["Бюджет"]  # the field defined before, kept
    async with app.crm.open() as crm:
        shown = await crm.field_values.of_card(owner, CardRef(CardKind.CLIENT, anna.id))
    assert [(v.field.name, v.value) for v in shown] == [("Бюджет", "много")]


async def test_a_cancelled_import_leaves_no_new_field(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot stopping (its background work cancelled) while the rows are written."""

    async def cancelled(self: Imports, *args: Any) -> None:
        raise asyncio.CancelledError

    monkeypatch.setattr(Imports, "_chunk", cancelled)
    table = read_table("ФИО;Любимый цвет\r\nИван;синий".encode(), "база.csv")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        mapping = [Target.NAME.value, Target.NEW_FIELD.value]
        with pytest.raises(asyncio.CancelledError):
            await crm.imports.run(owner, table, mapping, "база.csv", Policy.SKIP)
    assert await field_names(app) == []


async def test_a_new_field_stored_chunks_filled_stays_with_their_values(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_chunk(monkeypatch, 2)
    await colour_import(owner_en, 250)  # more than the first chunk's 200
    await finished(app)
    assert "stopped on an error" in owner_en.chat_messages()[-1].text
    assert await field_names(app) == ["Любимый цвет"]
    async with app.crm.open() as crm:
        held = select(func.count()).where(FieldValue.text_value == "синий")
        assert await crm.clients._session.scalar(held) == 200


async def test_a_later_columns_refused_field_takes_back_the_one_made_before(
    app: App, owner_en: SimulatedUser
) -> None:
    """Город made a new field clashes with the built-in City, and the import stops."""
    data = "\r\n".join(["ФИО;Любимый цвет;Город", "Иван;синий;Тула"]).encode("utf-8")
    await owner_en.send_document("база.csv", data=data)
    answer = await both_new_and_created(app, owner_en, ("2. Любимый цвет", "3. Город"))
    assert "“Город” is a built-in field already" in answer
    assert await field_names(app) == []


async def test_a_records_import_takes_its_new_field_back_too(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        kind = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
    data = "\r\n".join(["Название;Склад;Ответственный", "Альфа;Тула;Иван"]).encode("utf-8")
    await owner_en.send_document("поставщики.csv", data=data)
    await owner_en.press("The file holds")
    await owner_en.press("🏭 Поставщики")
    answer = await both_new_and_created(app, owner_en, ("2. Склад", "3. Ответственный"))
    assert "“Ответственный” is a built-in field already" in answer
    async with app.crm.open() as crm:
        assert await crm.fields.of(CardKind.RECORD, kind.id) == []
