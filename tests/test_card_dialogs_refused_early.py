"""A card's field and link dialogs refuse at the press what they would refuse after the
answer, and end when what they are about is gone, instead of refusing each message."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import deal_with_budget, make_client, member
from tests.conftest import OWNER_ID, Joiner

NO_ACCESS = "You don't have access to this."


async def not_refused_again(user: SimulatedUser, text: str, refusal: str) -> None:
    """The dialog ended: ``text`` is no longer its answer, so not refused as one."""
    answers = await user.send(text)
    assert all(refusal not in answer.text for answer in answers)


async def test_a_colleague_s_deal_field_is_refused_at_the_press(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """With "managers see all clients" on, a manager opened a colleague's deal's fields and
    tapped ✏️ Budget: the value was asked, typed, and only then refused ("You don't have
    access to this."), the typing lost. The press is refused now, and nothing is asked."""
    manager = await join(5501, "manager", "Mila", language_code="en")
    deal_id, budget_id = await deal_with_budget(app, OWNER_ID)
    edit = EntCb(action=Ent.EDIT_VALUE, kind="deal", card=deal_id, item=budget_id).pack()
    assert await manager.press_data(edit) == []
    assert manager.alert == NO_ACCESS
    await not_refused_again(manager, "5", NO_ACCESS)  # not taken as the value
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        values = await crm.field_values.of_card(me, CardRef(CardKind.DEAL, deal_id))
    assert [value.value for value in values] == [None]


async def test_a_link_search_ends_when_its_type_is_deleted(
    app: App, owner_en: SimulatedUser
) -> None:
    """Linking a client to a supplier, the owner deleted the (empty) Suppliers type from
    another device: every message after was refused "This record type no longer exists.",
    the search never ending. It ends at the first; the next message is no search."""
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.create(me, "Supplier", "Suppliers", "🏭")
    pick_type = EntCb(action=Ent.LINK_TYPE, kind="client", card=client.id, type_id=suppliers.id)
    await owner_en.press_data(pick_type.pack())
    async with app.crm.open() as crm:
        await crm.record_types.delete(me, suppliers.id)
    gone = "This record type no longer exists."
    assert [answer.text for answer in await owner_en.send("Frost")] == [gone]
    await not_refused_again(owner_en, "Call Ivan back tomorrow", gone)


async def test_a_line_refused_for_good_ends_the_quantity_question(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A manager (seeing all clients) linked a product to his deal, and the owner gave the
    deal to himself while the quantity was asked: the quantity was refused ("You don't
    have access to this."), and so was every number after it, the question never ending.
    A refusal no other quantity mends ends it; a quantity out of range is still asked
    again."""
    manager = await join(5501, "manager", "Mila", language_code="en")
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.settings.set_managers_see_all(me, True)
        products = await crm.record_types.create(me, "Product", "Products", "📦")
        salt = await crm.records.create(me, products.id, "Salt")
        deal = await crm.deals.create(me, client.id, 100, "Big order")
        await crm.deals.set_manager(me, deal.id, 5501)
    kinds = EntCb(action=Ent.LINK_TYPE, kind="deal", card=deal.id, type_id=products.id)
    await manager.press_data(kinds.pack())
    [found] = await manager.send("salt")
    [pick] = [data for text, data, _u in found.buttons if text == "Salt"]
    assert pick is not None
    [question] = await manager.press_data(pick, found)
    assert question.text == "Send the quantity (for example 3 or 1.5)."
    [again] = await manager.send("0")
    assert again.text == "Send a quantity from 0.001 to 999,999,999."
    async with app.crm.open() as crm:
        await crm.deals.set_manager(me, deal.id, OWNER_ID)
    [refused] = await manager.send("2")
    assert refused.text == NO_ACCESS
    await not_refused_again(manager, "3", NO_ACCESS)
    async with app.crm.open() as crm:
        assert await crm.links.of_card(me, CardRef(CardKind.RECORD, salt.id)) == []


async def test_a_product_linked_already_is_said_before_the_quantity(
    app: App, owner_en: SimulatedUser
) -> None:
    """Salt on the owner's own deal already: picking it again asked "Send the quantity",
    and only the typed quantity was refused "These cards are linked already.". The pick
    is refused now, from the deal and from the product, and no quantity is asked."""
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        products = await crm.record_types.create(me, "Product", "Products", "📦")
        salt = await crm.records.create(me, products.id, "Salt")
        deal = await crm.deals.create(me, client.id, 100, "Big order")
        salt_ref, deal_ref = CardRef(CardKind.RECORD, salt.id), CardRef(CardKind.DEAL, deal.id)
        await crm.links.link(me, deal_ref, salt_ref, quantity_milli=2000)
    for kind, card, target, search, title in (
        ("deal", deal.id, products.id, "salt", "Salt"),
        ("record", salt.id, -2, "big", "Big order"),
    ):
        kinds = EntCb(action=Ent.LINK_TYPE, kind=kind, card=card, type_id=target)
        await owner_en.press_data(kinds.pack())
        [found] = await owner_en.send(search)
        [pick] = [data for text, data, _u in found.buttons if title in text]
        assert pick is not None
        assert await owner_en.press_data(pick, found) == []
        assert owner_en.alert == "These cards are linked already."
    async with app.crm.open() as crm:
        [line] = await crm.links.of_card(me, deal_ref)
    assert line.quantity_milli == 2000
