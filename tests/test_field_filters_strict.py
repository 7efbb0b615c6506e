"""Strict ranges (``> 5``, ``< 10``) on several number fields at once: each filter's
button data stays short, so a second and a third are taken, and each is said back as
typed. Too many for the buttons is refused in words that say so."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_field_filters_flow import owner_of

NAMES = ("Volume", "Weight", "Height")


async def deal_with_numbers(app: App) -> None:
    """A deal, and the number fields of NAMES for deals."""
    me = await owner_of(app)
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        for name in NAMES:
            await crm.fields.define(me, CardKind.DEAL, name, FieldType.NUMBER)
        await crm.deals.create(me, client.id, 0, "Cubes")


async def test_deals_take_several_strict_number_filters(app: App, owner_en: SimulatedUser) -> None:
    await deal_with_numbers(app)
    await owner_en.send("/deals")
    for count, (name, typed) in enumerate(zip(NAMES, ("> 5", "< 10", "> 0.1"), strict=True)):
        await owner_en.press(f"🧩 Fields: {count}" if count else "🧩 Fields")
        await owner_en.press(name)
        [overview] = await owner_en.send(typed)
        assert "limit" not in overview.text, overview.text
    assert "Volume: more than 5" in overview.text
    assert "Weight: less than 10" in overview.text
    assert "Height: more than 0.1" in overview.text


async def test_a_record_list_takes_several_strict_number_filters(
    app: App, owner_en: SimulatedUser
) -> None:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        products = await crm.record_types.take_starter(me, "products")
        for name in NAMES:
            await crm.fields.define(
                me, CardKind.RECORD, name, FieldType.NUMBER, record_type_id=products.id
            )
        await crm.records.create(me, products.id, "Ice")
    await owner_en.send("/records")
    await owner_en.press("Products")
    for count, (name, typed) in enumerate(zip(NAMES, ("> 5", "< 10", "> 0.1"), strict=True)):
        await owner_en.press(f"🧩 Fields: {count}" if count else "🧩 Fields")
        await owner_en.press(name)
        [screen] = await owner_en.send(typed)
        assert "limit" not in screen.text, screen.text
    assert "Volume: more than 5" in screen.text
    assert "Weight: less than 10" in screen.text
    assert "Height: more than 0.1" in screen.text


async def test_too_many_for_the_buttons_is_refused_so(app: App, owner_en: SimulatedUser) -> None:
    await deal_with_numbers(app)
    await owner_en.send("/deals")
    await owner_en.press("🧩 Fields")
    await owner_en.press("Volume")
    await owner_en.send("1.234567890123-2.345678901234")
    await owner_en.press("🧩 Fields: 1")
    await owner_en.press("Weight")
    [refused] = await owner_en.send("3.234567890123-4.345678901234")
    assert refused.text == (
        "Too many field filters for the list's buttons to carry; clear one first."
    )
