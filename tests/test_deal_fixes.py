"""Issue 10, item 12, deals: the owner deletes a deal after a question that says what goes with
it (its tasks; its history stays on the client); a deal is moved to another client by a search
and a pick. A manager's forged delete and a second "Yes" are refused."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealAction, DealCb
from storage.engine import create_session_factory
from storage.models import Deal, Event, Task
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MILA = 5801


async def count(app: App, model: type[Deal] | type[Task]) -> int:
    async with create_session_factory(app.engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def stored_deal(app: App, deal_id: int) -> Deal | None:
    async with create_session_factory(app.engine)() as session:
        return await session.get(Deal, deal_id)


async def test_the_owner_deletes_a_deal_after_being_told_what_goes(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    client = await make_client(app, OWNER_ID, "Acme")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deal = await crm.deals.create(owner, client.id, 100_00, "Sofa")
        due = crm.clock.now() + timedelta(days=1)
        await crm.tasks.create(owner, "call", due, deal_id=deal.id)
        await crm.tasks.create(owner, "send the offer", due, deal_id=deal.id)
        await crm.deals.comment(owner, deal.id, "wants it blue")
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("Edit")
    [question] = await owner_en.press("Delete the deal")
    assert question.text.startswith("Delete the deal “Sofa” for good?")
    assert "tasks go with it: 2." in question.text
    assert "history entries (" in question.text
    [card] = await owner_en.press("No, back", question)
    assert card.text.startswith("💼 Sofa") and await stored_deal(app, deal.id) is not None

    # A manager who sees the deal may not delete it, even with a forged button.
    async with app.crm.open() as crm:
        await crm.client_edits.set_manager(await member(app, OWNER_ID), client.id, MILA)
        await crm.deals.set_manager(await member(app, OWNER_ID), deal.id, MILA)
    for action in (DealAction.DELETE, DealAction.DELETE_YES):
        await mila.press_data(DealCb(action=action, deal_id=deal.id).pack())
        assert mila.alert == "You don't have access to this.", action
    [edit] = await mila.press_data(DealCb(action=DealAction.EDIT, deal_id=deal.id).pack())
    assert not any("Delete" in text for text, _d, _u in edit.buttons)
    assert await stored_deal(app, deal.id) is not None

    await owner_en.press("Edit", card)
    await owner_en.press("Delete the deal")
    [done] = await owner_en.press("Yes, delete")
    assert done.text == "🗑 The deal “Sofa” is deleted, and its tasks: 2."
    assert await stored_deal(app, deal.id) is None and await count(app, Task) == 0
    await owner_en.press_data(DealCb(action=DealAction.DELETE_YES, deal_id=deal.id).pack(), done)
    assert owner_en.alert == "This record no longer exists."
    [card] = await owner_en.press("Open the client", done)
    assert "wants it blue" in card.text  # the deal's history stays on the client's timeline
    async with create_session_factory(app.engine)() as session:
        kinds = list(await session.scalars(select(Event.kind).where(Event.client_id == client.id)))
    assert kinds.count("deal_deleted") == 1


async def test_a_deal_moves_to_another_client_by_search(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    acme = await make_client(app, OWNER_ID, "Acme Ltd")
    await make_client(app, OWNER_ID, "Acme Holding")
    await make_client(app, OWNER_ID, "Boris Orlov")
    mine = await make_client(app, MILA, "Mila's client")
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, OWNER_ID), acme.id, 100_00, "Sofa")
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("Edit")
    [question] = await owner_en.press("Another client")
    assert question.text == "Send the name (or phone, company) of the client to move “Sofa” to."
    [nobody] = await owner_en.send("zzzqqq")
    assert nobody.text.startswith("No other client found by “zzzqqq”.")
    [choice] = await owner_en.send("Acme")  # the deal's own client is not offered
    names = [text for text, _d, _u in choice.buttons]
    assert "👤 Acme Holding" in names and "👤 Acme Ltd" not in names
    [card] = await owner_en.send("Boris")
    [card] = await owner_en.press("👤 Boris Orlov", card)
    assert owner_en.alert == "The deal is moved."
    assert "Client: Boris Orlov" in card.text
    # the deal's history says it once, and from whom to whom (it read twice: "deal moved
    # between clients: Sofa"); each client's history says it once too
    moves = [line for line in card.text.splitlines() if "🔀" in line]
    assert len(moves) == 1 and moves[0].endswith(
        "🔀 deal moved to another client: Acme Ltd → Boris Orlov"
    ), card.text
    [boris] = await owner_en.press("👤 Boris Orlov", card)
    [acme_card] = await owner_en.press_data(ClientCb(action="open", client_id=acme.id).pack())
    for client_card in (boris, acme_card):
        lines = [line for line in client_card.text.splitlines() if "🔀" in line]
        assert lines == [lines[0]] and lines[0].endswith("Acme Ltd → Boris Orlov"), lines
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("Edit")
    await owner_en.press("Another client")
    await owner_en.send("Acme Holding")
    [card] = await owner_en.press("👤 Acme Holding")
    moves = [line for line in card.text.splitlines() if "🔀" in line]
    assert [move.split(": ", 2)[-1] for move in moves] == [
        "Boris Orlov → Acme Holding",
        "Acme Ltd → Boris Orlov",
    ], card.text
    moved = await stored_deal(app, deal.id)
    assert moved is not None and moved.client_id != acme.id

    # Mila cannot move the owner's deal, nor put it on a client she sees by a forged press.
    forged = DealCb(action=DealAction.SET_CLIENT, deal_id=deal.id, item_id=mine.id)
    await mila.press_data(forged.pack())
    assert mila.alert == "This record no longer exists."
    # The owner pressing the old button twice: already on this client.
    again = DealCb(action=DealAction.SET_CLIENT, deal_id=deal.id, item_id=moved.client_id)
    await owner_en.press_data(again.pack())
    assert owner_en.alert == "The deal is already on this client."


async def test_an_old_all_deals_button_after_the_deals_are_deleted(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "All deals" pressed after the client's deals were deleted showed "Deals of X:" with
    nothing under it; it says there are none, with the way back to the card."""
    client = await make_client(app, OWNER_ID, "Many Deals")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        deals = [await crm.deals.create(owner, client.id, 0, f"Deal {n}") for n in range(6)]
    [card] = await owner_en.press_data(ClientCb(action="open", client_id=client.id).pack())
    async with app.crm.open() as crm:
        for deal in deals:
            await crm.deal_edits.delete(await member(app, OWNER_ID), deal.id)
    [listing] = await owner_en.press("All deals (6)", card)
    assert listing.text == "Many Deals has no deals."
    [card] = await owner_en.press("◀️", listing)
    assert card.text.startswith("👤 Many Deals")
