"""A record deleted takes its links with it as unlinking by hand does: each linked card's
history says so, and a deal whose amount follows its lines is summed again (every backend)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from crm.cards import CardKind, CardRef
from storage.models import Event
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

DEAL, RECORD, CLIENT = CardKind.DEAL, CardKind.RECORD, CardKind.CLIENT


async def test_a_product_deleted_leaves_no_money_in_a_deal_that_follows_its_lines(
    app: App,
) -> None:
    """The links went with the product (a cascade), but the deal's amount kept its line's
    money and no history said the product was gone from the deal."""
    client = await make_client(app, OWNER_ID, "Иван")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        products = await crm.record_types.take_starter(me, "products")
        [price] = [f for f in await crm.fields.of(RECORD, products.id) if f.type == "money"]
        ice = await crm.records.create(me, products.id, "Лёд", {price.id: "150"})
        steam = await crm.records.create(me, products.id, "Пар", {price.id: "2 000"})
        follows = await crm.deals.create(me, client.id, 0, "По строкам")
        await crm.links.set_amount_follows_lines(me, follows.id, True)
        fixed = await crm.deals.create(me, client.id, 1_000_000, "Своя сумма")
        steam_ref = CardRef(RECORD, steam.id)
        await crm.links.link(me, CardRef(DEAL, follows.id), CardRef(RECORD, ice.id), 3000)
        await crm.links.link(me, steam_ref, CardRef(DEAL, follows.id), 1000)
        await crm.links.link(me, CardRef(DEAL, fixed.id), steam_ref, 2000)
        await crm.links.link(me, CardRef(CLIENT, client.id), steam_ref)
        assert (await crm.deals.visible(me, follows.id)).amount_minor == 245_000

    async with app.crm.open() as crm:
        assert await crm.records.delete(me, steam.id) == "Пар"

    async with app.crm.open() as crm:
        assert (await crm.deals.visible(me, follows.id)).amount_minor == 45_000
        assert (await crm.deals.visible(me, fixed.id)).amount_minor == 1_000_000
        lines, total = await crm.links.lines(me, follows.id)
        assert [(line.title, line.line_total) for line in lines] == [("Лёд", 45_000)]
        assert total == 45_000
        session = crm.fields._session
        removed = list(
            await session.scalars(
                select(Event).where(Event.kind == "link_removed").order_by(Event.id)
            )
        )
        assert [(e.deal_id, e.client_id, e.data["title"]) for e in removed] == [
            (follows.id, None, "Пар"),
            (fixed.id, None, "Пар"),
            (None, client.id, "Пар"),
        ]
        assert [e.data["quantity"] for e in removed] == [1000, 2000, None]
        [summed] = await session.scalars(
            select(Event)
            .where(Event.kind == "deal_changed", Event.deal_id == follows.id)
            .order_by(Event.id.desc())
            .limit(1)
        )
        assert (summed.data["old"], summed.data["new"], summed.data["by_lines"]) == (
            245_000,
            45_000,
            True,
        )
        assert await crm.links.of_card(me, CardRef(CLIENT, client.id)) == []
