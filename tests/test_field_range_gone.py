"""A range question of a list's field filter whose field is deleted meanwhile: the member
is told once, the question ends, and the next text is read as usual (a search)."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_field_filters_flow import client_fields, owner_of

GONE = "This field no longer exists."


async def asked_then_gone(app: App, user: SimulatedUser, name: str, field_id: int) -> None:
    """The range question of ``name`` is open; an unreadable range keeps it, the field's
    deletion ends it at the next range, and then a text searches again."""
    [unreadable] = await user.send("lots")
    assert name in unreadable.text
    async with app.crm.open() as crm:
        await crm.fields.delete(await owner_of(app), field_id)
    [told] = await user.send("10-20")
    assert told.text == GONE
    replies = await user.send("Anna")
    assert GONE not in [r.text for r in replies]
    assert any("Anna Lee" in r.text or "Anna Lee" in str(r.buttons) for r in replies)


async def test_a_client_range_whose_field_is_deleted_ends(
    app: App, owner_en: SimulatedUser
) -> None:
    fields = await client_fields(app)
    await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.send("/clients")
    await owner_en.press("🔎 Filters")
    await owner_en.press("🧩 Fields")
    await owner_en.press("Budget")
    await asked_then_gone(app, owner_en, "Budget", fields["Budget"].id)


async def test_a_deal_range_whose_field_is_deleted_ends(app: App, owner_en: SimulatedUser) -> None:
    me = await owner_of(app)
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        volume = await crm.fields.define(me, CardKind.DEAL, "Volume", FieldType.NUMBER)
        await crm.deals.create(me, client.id, 0, "Cubes")
    await owner_en.send("/deals")
    await owner_en.press("🧩 Fields")
    await owner_en.press("Volume")
    await asked_then_gone(app, owner_en, "Volume", volume.id)


async def test_a_record_range_whose_field_is_deleted_ends(
    app: App, owner_en: SimulatedUser
) -> None:
    me = await owner_of(app)
    await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        products = await crm.record_types.take_starter(me, "products")
        fields = await crm.fields.of(CardKind.RECORD, products.id)
        price = next(f for f in fields if f.type == "money")
        await crm.records.create(me, products.id, "Ice", {price.id: "150"})
    await owner_en.send("/records")
    await owner_en.press("Products")
    await owner_en.press("🧩 Fields")
    await owner_en.press("Price")
    await asked_then_gone(app, owner_en, "Price", price.id)
