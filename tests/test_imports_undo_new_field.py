"""Undoing an import takes back the new fields it made once they hold no value any more (it
left them on every card, empty); a field a member filled since on another card stays. The
answer says which, in both languages."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.parsing.fields import FieldType
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_imports_new_field_failed import both_new_and_created, field_names, finished


async def record_fields(app: App, type_id: int) -> list[str]:
    async with app.crm.open() as crm:
        return [f.name for f in await crm.fields.of(CardKind.RECORD, type_id)]


async def colour_import(app: App, owner: SimulatedUser, *presses: str) -> None:
    """Two clients whose third column becomes a new field "Любимый цвет", imported with
    these presses (the new field, the preview, the run)."""
    data = "\r\n".join(["ФИО;Телефон;Любимый цвет", "Иван;+79161234567;синий", "Олег;;"])
    await owner.send_document("база.csv", data=data.encode("utf-8"))
    await owner.press("3. Любимый цвет")
    for label in presses:
        await owner.press(label)
    await finished(app)


async def undone(owner: SimulatedUser, undo: str, yes: str) -> str:
    await owner.send("/imports")
    await owner.press(undo)
    [done] = await owner.press(yes)
    return done.text


async def test_the_undo_takes_back_the_field_the_import_made(
    app: App, owner_en: SimulatedUser
) -> None:
    await colour_import(app, owner_en, "A new field named after the column", "Preview", "Skip")
    assert "Created: 2" in owner_en.chat_messages()[-1].text
    assert await field_names(app) == ["Любимый цвет"]
    text = await undone(owner_en, "Undo #1", "Yes, undo")
    assert text == (
        "Import undone: 2 cards removed, 0 restored, 0 deals removed. The field “Любимый "
        "цвет” it made is deleted too: no card holds a value of it."
    )
    assert await field_names(app) == []


async def test_a_field_a_member_filled_since_stays(app: App, owner: SimulatedUser) -> None:
    anna = await make_client(app, OWNER_ID, "Анна")  # not in the file
    await colour_import(app, owner, "Новое поле с названием", "Предпросмотр", "Пропустить")
    olga = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        [colour] = await crm.fields.of(CardKind.CLIENT)
        await crm.field_values.set(olga, CardRef(CardKind.CLIENT, anna.id), colour.id, "зелёный")
    text = await undone(owner, "Отменить №1", "Да, отменить")
    assert text == (
        "Импорт отменён: удалены 2 карточки, восстановлено 0, удалено 0 сделок. "
        "Созданное им поле «Любимый цвет» осталось: в карточках есть его значения."
    )
    assert await field_names(app) == ["Любимый цвет"]
    async with app.crm.open() as crm:
        shown = await crm.field_values.of_card(olga, CardRef(CardKind.CLIENT, anna.id))
    assert [(v.field.name, v.value) for v in shown] == [("Любимый цвет", "зелёный")]


async def test_a_records_import_undone_takes_back_its_field(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        olga = await member(app, OWNER_ID)
        kind = await crm.record_types.create(olga, "Поставщик", "Поставщики", "🏭")
        kept = await crm.fields.define(
            olga, CardKind.RECORD, "Адрес", FieldType.TEXT, record_type_id=kind.id
        )
    data = "\r\n".join(["Название;Склад;Этаж", "Альфа;Тула;", "Бета;;2"]).encode("utf-8")
    await owner_en.send_document("поставщики.csv", data=data)
    await owner_en.press("The file holds")
    await owner_en.press("🏭 Поставщики")
    answer = await both_new_and_created(app, owner_en, ("2. Склад", "3. Этаж"))
    assert "Created: 2" in answer
    assert await record_fields(app, kind.id) == [kept.name, "Склад", "Этаж"]
    text = await undone(owner_en, "Undo #1", "Yes, undo")
    assert text.endswith(
        "The fields “Склад”, “Этаж” it made are deleted too: no card holds a value of them."
    )
    assert await record_fields(app, kind.id) == ["Адрес"]
