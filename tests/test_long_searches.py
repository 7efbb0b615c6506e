"""A search of many short words is refused as too long (SQLite cannot build a query of a
thousand conditions) and the question stays: the next text searches again."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_entities_flow import member

MANY_WORDS = " ".join(["ab"] * 1300)


async def test_a_record_search_of_many_words_is_refused_and_asked_again(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await member(app)
        kind = await crm.record_types.create(me, "Product", "Products")
        await crm.records.create(me, kind.id, "Salt")
    await owner_en.press_data(EntCb(action=Ent.SEARCH, type_id=kind.id).pack())
    [refused] = await owner_en.send(MANY_WORDS)
    assert "200" in refused.text
    [found] = await owner_en.send("sal")
    assert "Salt" in str(found.buttons)


async def test_a_deal_link_search_of_many_words_is_refused_and_asked_again(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        me = await member(app)
        kind = await crm.record_types.create(me, "Product", "Products")
        salt = await crm.records.create(me, kind.id, "Salt")
        await crm.deals.create(me, client.id, 0, "Cubes")
    link = EntCb(action=Ent.LINK_TYPE, kind="record", card=salt.id, type_id=-2)
    await owner_en.press_data(link.pack())
    [refused] = await owner_en.send(MANY_WORDS)
    assert "200" in refused.text
    [found] = await owner_en.send("cub")
    assert "Cubes" in str(found.buttons)
