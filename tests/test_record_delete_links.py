"""A record deleted takes its links with it as unlinking by hand does: each linked card's
history says so, and a deal whose amount follows its lines is summed again (every backend)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from bot.app import App
from crm import link_writes
from crm.cards import CardKind, CardRef
from storage.models import Client, Deal, Event, Link
from tests.at_once import lock, once_other_commits
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


async def removed_lines(app: App) -> list[tuple[int | None, int | None, int | None, str]]:
    """Each "link_removed": the card whose history it is on (client, deal, record), and the
    card it names."""
    async with app.crm.open() as crm:
        rows = await crm.fields._session.scalars(
            select(Event).where(Event.kind == "link_removed").order_by(Event.id)
        )
        return [(e.client_id, e.deal_id, e.record_id, e.data["title"]) for e in rows]


@pytest.mark.parametrize("chunk", [500, 1])
async def test_a_client_or_a_deal_deleted_says_so_on_the_cards_linked_to_it(
    app: App, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting a client (its deals go with it) or a deal dropped its links by the cascade,
    with no "link removed" on the linked cards' histories, as a record's deletion writes.
    (The cards and links are read and deleted ``chunk`` ids a statement.)"""
    monkeypatch.setattr(link_writes, "CHUNK", chunk)
    ivan = await make_client(app, OWNER_ID, "Иван")
    petr = await make_client(app, OWNER_ID, "Пётр")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        kind = await crm.record_types.create(me, "Склад", "Склады", "🏭")
        store = await crm.records.create(me, kind.id, "Склад 1")
        supply = await crm.deals.create(me, ivan.id, 100, "Поставка")
        other = await crm.deals.create(me, petr.id, 100, "Своя")
        spare = await crm.deals.create(me, petr.id, 100, "Запасная")
        ivan_ref, supply_ref = CardRef(CLIENT, ivan.id), CardRef(DEAL, supply.id)
        store_ref, petr_ref = CardRef(RECORD, store.id), CardRef(CLIENT, petr.id)
        await crm.links.link(me, ivan_ref, petr_ref)
        await crm.links.link(me, store_ref, ivan_ref)
        await crm.links.link(me, ivan_ref, supply_ref)  # its own deal: goes with it, unsaid
        await crm.links.link(me, supply_ref, store_ref)
        await crm.links.link(me, CardRef(DEAL, other.id), ivan_ref)
        await crm.links.link(me, CardRef(DEAL, spare.id), store_ref)
        await crm.links.link(me, CardRef(DEAL, spare.id), petr_ref)
        second = await crm.deals.create(me, ivan.id, 100, "Вторая")
        await crm.links.link(me, petr_ref, CardRef(DEAL, second.id))
    async with app.crm.open() as crm:
        assert await crm.deal_edits.delete(me, spare.id) == 0
    assert await removed_lines(app) == [
        (None, None, store.id, "Запасная"),
        (petr.id, None, None, "Запасная"),
    ]
    async with app.crm.open() as crm:
        assert await crm.client_edits.delete(me, ivan.id) == "Иван"
    assert (await removed_lines(app))[2:] == [
        (petr.id, None, None, "Иван"),
        (None, None, store.id, "Иван"),
        (None, None, store.id, "Поставка"),
        (None, other.id, None, "Иван"),
        (petr.id, None, None, "Вторая"),
    ]
    async with app.crm.open() as crm:
        assert await crm.links.of_card(me, store_ref) == []
        assert await crm.links.of_card(me, petr_ref) == []


async def test_a_link_made_while_its_deal_is_deleted_is_said_removed(app: App) -> None:
    """A member links a deal to a client while the owner deletes the deal: the deletion waits
    for the linker (it locks the deal, its client and the cards linked to it, as linking
    locks them), finds the new link and writes its "link removed" on that client too. The
    linker is a second connection holding its link uncommitted; on SQLite the deletion
    waits for the write lock."""
    ivan = await make_client(app, OWNER_ID, "Иван")
    petr = await make_client(app, OWNER_ID, "Пётр")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        supply = await crm.deals.create(me, ivan.id, 100, "Поставка")

    async def delete_it() -> int:
        async with app.crm.open() as crm:
            return await crm.deal_edits.delete(me, supply.id)

    async with app.engine.connect() as other:
        await other.execute(lock(Client, petr.id))
        await other.execute(lock(Deal, supply.id))
        link = {"a_deal_id": supply.id, "b_client_id": petr.id, "created_by": OWNER_ID}
        await other.execute(insert(Link).values(**link, created_at=supply.created_at))
        assert await once_other_commits(other, delete_it()) == 0
    assert await removed_lines(app) == [(petr.id, None, None, "Поставка")]
    async with app.crm.open() as crm:
        assert await crm.links.of_card(me, CardRef(CLIENT, petr.id)) == []
