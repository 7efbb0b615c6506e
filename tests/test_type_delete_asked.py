"""Deleting a record type in /settings asks first, as deleting a field, a stage or a
template does: "🗑 Delete type" deleted the type with its fields at the first tap (a slip
of a finger on a phone), and said nothing of the automation rules that watch the type.
Through the Dispatcher, in English and Russian."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.errors import NotFound
from handlers.records.callbacks import Ent, EntCb
from storage.models import User
from tests.conftest import OWNER_ID, Joiner

TASK = {"type": "create_task", "title": "Call", "due_minutes": 0, "assignee": "responsible"}


async def owner_of(app: App) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def type_exists(app: App, type_id: int) -> bool:
    async with app.crm.open() as crm:
        try:
            await crm.record_types.get(type_id)
        except NotFound:
            return False
    return True


async def test_deleting_a_type_asks_first_and_names_the_rules(
    app: App, owner_en: SimulatedUser
) -> None:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        suppliers = await crm.record_types.take_starter(me, "suppliers")  # 3 fields
        await crm.automation.add(me, "New suppliers", "record_created",
                                 {"type_id": suppliers.id}, [TASK])  # fmt: skip
        await crm.automation.add(me, "Suppliers call", "record_created",
                                 {"type_id": suppliers.id}, [TASK])  # fmt: skip
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Suppliers")
    [question] = await owner_en.press("🗑 Delete type")
    assert question.text == (
        "Delete the record type “🏭 Suppliers”? Its fields (3) go with it; it has no records.\n"
        "⚠️ 2 automation rules use it and will stop working: «New suppliers», «Suppliers call»."
    )
    assert await type_exists(app, suppliers.id)  # nothing gone before the answer
    [fields] = await owner_en.press("◀️ No, back", question)
    assert "🏭 Supplier / Suppliers" in fields.text
    assert await type_exists(app, suppliers.id)

    [question] = await owner_en.press("🗑 Delete type", fields)
    yes = next(data for text, data, _u in question.buttons if text == "🗑 Yes, delete")
    [kinds] = await owner_en.press("🗑 Yes, delete", question)
    assert "Suppliers" not in str(kinds.buttons)
    assert not await type_exists(app, suppliers.id)
    assert await owner_en.press_data(yes) == []  # pressed again: told it is gone
    assert owner_en.alerts()[-1] == "This record type no longer exists."


async def test_a_type_with_records_is_refused_before_the_question(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        goods = await crm.record_types.create(me, "Товар", "Товары", "📦")
        await crm.records.create(me, goods.id, "Лёд")
    await owner.send("/settings")
    await owner.press("Поля и типы записей")
    [fields] = await owner.press("Товары")
    assert await owner.press("🗑 Удалить тип", fields) == []
    assert owner.alerts()[-1] == "В этом типе записей: 1; отправьте его в архив."
    async with app.crm.open() as crm:
        empty = await crm.record_types.create(me, "Склад", "Склады", "🏬")
    await owner.press("◀️ Назад", fields)
    await owner.press("Склады")
    [question] = await owner.press("🗑 Удалить тип")
    assert question.text == ("Удалить тип записей «🏬 Склады»? Полей и записей в нём нет.")
    # a manager's forged confirmation is refused and deletes nothing
    yes = EntCb(action=Ent.TYPE_DELETE_YES, kind="record", type_id=empty.id).pack()
    assert yes in [data for _t, data, _u in question.buttons]
    manager = await join(5401, "manager", "Mila", language_code="en")
    assert await manager.press_data(yes) == []
    assert manager.alerts()[-1] == "You don't have access to this."
    assert await type_exists(app, empty.id)
    await owner.press("🗑 Да, удалить", question)
    assert not await type_exists(app, empty.id)
    assert await type_exists(app, goods.id)
