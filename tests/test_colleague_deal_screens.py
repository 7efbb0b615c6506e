"""A colleague's deal (with "managers see all clients" on) offers a manager only what
he may do there: its fields screen no ✏️ buttons, linking a product no quantity."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import deal_with_budget, make_client, member
from tests.conftest import OWNER_ID, Joiner

MANAGER_ID = 5501


def _edit_buttons(screen_buttons: list[tuple[str, str | None, str | None]]) -> list[str]:
    return [text for text, _data, _url in screen_buttons if text.startswith("✏️")]


async def test_a_colleague_s_deal_fields_show_no_edit_buttons(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A manager opening a colleague's deal's fields saw "✏️ Budget", and a tap was refused
    ("You don't have access to this."). He sees the values and no ✏️ buttons; the owner
    and the deal's own manager still have them."""
    manager = await join(MANAGER_ID, "manager", "Mila", language_code="en")
    deal_id, _budget = await deal_with_budget(app, OWNER_ID)
    fields = EntCb(action=Ent.FIELDS, kind="deal", card=deal_id).pack()
    [seen] = await manager.press_data(fields)
    assert "Budget" in seen.text
    assert _edit_buttons(seen.buttons) == []
    [own] = await owner_en.press_data(fields)
    assert _edit_buttons(own.buttons) == ["✏️ Budget"]
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.deals.set_manager(me, deal_id, MANAGER_ID)
    [his] = await manager.press_data(fields)
    assert _edit_buttons(his.buttons) == ["✏️ Budget"]


async def _pick_salt(app: App, user: SimulatedUser, manager_id: int) -> tuple[int, list[str]]:
    """A Salt product found from a deal managed by ``manager_id`` and pressed; returns the
    deal and the texts the press answered with."""
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.settings.set_managers_see_all(me, True)
        products = await crm.record_types.create(me, "Product", "Products", "📦")
        await crm.records.create(me, products.id, "Salt")
        deal = await crm.deals.create(me, client.id, 100, "Big order")
        await crm.deals.set_manager(me, deal.id, manager_id)
    kinds = EntCb(action=Ent.LINK_TYPE, kind="deal", card=deal.id, type_id=products.id)
    await user.press_data(kinds.pack())
    [found] = await user.send("salt")
    [pick] = [data for text, data, _u in found.buttons if text == "Salt"]
    assert pick is not None
    return deal.id, [answer.text for answer in await user.press_data(pick, found)]


async def test_a_product_linked_to_a_colleague_s_deal_asks_no_quantity(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A manager linking a product to a colleague's deal was asked the quantity and only
    then refused. The quantity is not asked: the product is linked without one, as he
    may, and he is told why; the deal's amount stays."""
    manager = await join(MANAGER_ID, "manager", "Mila", language_code="en")
    deal_id, answers = await _pick_salt(app, manager, OWNER_ID)
    assert len(answers) == 1 and "Salt" in answers[0]
    assert "quantity" not in answers[0]
    assert manager.alert == "Linked without a quantity: only the deal's manager sets quantities."
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        [line] = await crm.links.of_card(me, CardRef(CardKind.DEAL, deal_id))
        deal = await crm.deals.visible(me, deal_id)
    assert line.quantity_milli is None
    assert deal.amount_minor == 100


async def test_the_deal_s_manager_is_still_asked_the_quantity(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(MANAGER_ID, "manager", "Mila", language_code="en")
    _deal, answers = await _pick_salt(app, manager, MANAGER_ID)
    assert answers == ["Send the quantity (for example 3 or 1.5)."]
