"""A manager adds a record whose type has required fields, and the owner deletes one of
those fields while the manager is answering: the next answer ended the dialog with "This
field no longer exists.", and the name and every value typed were lost (the record was
never made). A value of a field deleted meanwhile is dropped; the dialog goes on."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.parsing.fields import FieldType
from handlers.records.callbacks import Ent, EntCb
from storage.models import Record
from tests.client_helpers import member
from tests.conftest import OWNER_ID, Joiner


async def test_a_required_field_deleted_mid_dialog_loses_nothing(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    manager = await join(5501, "manager", "Mila", language_code="en")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        goods = await crm.record_types.create(me, "Product", "Products", "📦")
        made = [
            await crm.fields.define(
                me, CardKind.RECORD, name, FieldType.TEXT, record_type_id=goods.id, required=True
            )
            for name in ("SKU", "Size", "Colour")
        ]
    sku, size, colour = made
    await manager.press_data(EntCb(action=Ent.NEW_RECORD, type_id=goods.id).pack())
    [question] = await manager.send("Ice cubes")
    assert question.text == "“SKU” is required (text): send it."
    [question] = await manager.send("IC-1")
    assert question.text == "“Size” is required (text): send it."
    async with app.crm.open() as crm:  # the owner deletes one answered and the one asked
        await crm.fields.delete(me, sku.id)
        await crm.fields.delete(me, size.id)
    [question] = await manager.send("1 kg")
    assert question.text == "“Colour” is required (text): send it."
    [card] = await manager.send("white")
    assert card.text.startswith("📦 Product: Ice cubes")
    assert "Colour: white" in card.text
    async with app.crm.open() as crm:
        [record] = list(await crm.clients._session.scalars(select(Record)))
        values = await crm.field_values.read(CardRef(CardKind.RECORD, record.id), record)
    assert record.title == "Ice cubes"
    assert [(v.field.id, v.value) for v in values] == [(colour.id, "white")]
