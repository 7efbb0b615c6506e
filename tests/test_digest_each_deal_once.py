"""The summary counts each deal once: a deal won, reopened and won again the same day was
"Deals won: 2" with its amount twice, and a deal moved through three stages was "3 deals
moved to another stage"."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.deals.callbacks import DealCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

NBSP = "\u00a0"


async def test_a_deal_won_twice_in_a_day_is_one_deal_won(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        won = await crm.deals.create(owner, client.id, 150_000_00, "Supply")
        moved = await crm.deals.create(owner, client.id, 20_000_00, "Fit-out")
    clock.advance(timedelta(minutes=5))
    await owner_en.press_data(DealCb(action="open", deal_id=won.id).pack())
    await owner_en.press("🏆 Won")
    await owner_en.press("♻️ Reopen")
    await owner_en.press("🏆 Won")
    await owner_en.press_data(DealCb(action="open", deal_id=moved.id).pack())
    for _step in range(3):
        await owner_en.press("➡️ Next")
    clock.advance(timedelta(minutes=5))
    [today] = await owner_en.send("/digest")
    assert f"Deals created: 2, 170,000{NBSP}₽" in today.text
    assert f"Deals won: 1, 150,000{NBSP}₽" in today.text
    assert "Deals moved to another stage: 2" in today.text  # the reopened one and Fit-out
