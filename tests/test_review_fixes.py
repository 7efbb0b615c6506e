"""Fixes from a review of the day's changes, each driven through the Dispatcher as a member
meets it."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.deals.callbacks import DealAction, DealCb
from storage.engine import create_session_factory
from storage.models import Deal
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MILA = 5901


async def test_a_deal_does_not_move_to_a_client_its_manager_cannot_see(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """Moving Mila's deal to the owner's client would leave her a deal she cannot find:
    refused with who cannot see what, as giving her the deal is; nothing moves."""
    await join(MILA, "manager", "Mila", language_code="en")
    acme = await make_client(app, MILA, "Acme")
    await make_client(app, OWNER_ID, "Boris Orlov")  # the owner's: Mila does not see it
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, MILA), acme.id, 100_00, "Sofa")
    await owner_en.press_data(DealCb(action=DealAction.EDIT, deal_id=deal.id).pack())
    await owner_en.press("Another client")
    [choice] = await owner_en.send("Boris")
    await owner_en.press("👤 Boris Orlov", choice)
    assert owner_en.alert is not None
    assert owner_en.alert.startswith("Mila cannot see the client “Boris Orlov”")
    async with create_session_factory(app.engine)() as session:
        stored = await session.get(Deal, deal.id)
    assert stored is not None and stored.client_id == acme.id
