"""A new field's name taken already (a built-in field's, as "Phone", or another field's of
the card) was refused only once the type was picked, and for a list field once the options
were typed: "“Phone” is a built-in field already. Choose another name.", while the dialog
went on asking for the options, so the other name typed next was read as options and
refused the same way, again and again. The name is refused as it is typed; the question
for the name stays open."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.field_rules import options_of
from crm.parsing.fields import FieldType
from tests.client_helpers import member
from tests.conftest import OWNER_ID


async def test_a_built_in_name_is_refused_before_the_type_and_options(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Client fields")
    await owner_en.press("➕ Add a field")
    [refused] = await owner_en.send("Phone")
    assert refused.text == "“Phone” is a built-in field already. Choose another name."
    [types] = await owner_en.send("Mobile line")
    assert types.text == "Choose the field's type."
    await owner_en.press("one of a list", types)
    [field] = await owner_en.send("MTS, Beeline")
    assert field.text.startswith("Mobile line")
    async with app.crm.open() as crm:
        [made] = await crm.fields.of(CardKind.CLIENT)
    assert made.name == "Mobile line" and [o.name for o in options_of(made)] == ["MTS", "Beeline"]


async def test_another_fields_name_is_refused_as_it_is_typed(
    app: App, owner: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        goods = await crm.record_types.create(me, "Товар", "Товары", "📦")
        await crm.fields.define(me, CardKind.RECORD, "Артикул", FieldType.TEXT,
                                record_type_id=goods.id)  # fmt: skip
    await owner.send("/settings")
    await owner.press("Поля и типы записей")
    await owner.press("Товары")
    await owner.press("➕ Добавить поле")
    [refused] = await owner.send("артикул")
    assert refused.text == "Поле «артикул» уже есть."
    [refused] = await owner.send("Название")
    assert refused.text == "«Название» — уже встроенное поле. Выберите другое название."
    [types] = await owner.send("Вес")
    assert types.text == "Выберите тип поля."
