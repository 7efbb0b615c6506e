"""A deal's stage buttons from a card shown before someone else moved the deal.

The card's "Next", "Won", "Lost" and the stage picker name the stage they go to; pressed
after a colleague closed the deal (or moved it), they must not silently reopen it or flip
won into lost: the member is told, and sees the deal as it is now.
"""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_deal_card import actor, deal_now, make_deal, open_deal, stage_ids

MOVED = "The deal has moved to another stage meanwhile; here it is as it is now."


async def won_meanwhile(app: App, deal_id: int) -> None:
    ids = await stage_ids(app)
    async with app.crm.open() as crm:
        await crm.deals.move(await actor(crm), deal_id, ids["won"])


async def test_an_old_next_button_does_not_reopen_a_won_deal(
    app: App, owner_en: SimulatedUser
) -> None:
    ids = await stage_ids(app)
    client = await make_client(app, OWNER_ID, "Anna Lee")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    old_card = owner_en.last_message()
    await won_meanwhile(app, deal.id)

    [card] = await owner_en.press("Next: Contact made", old_card)
    assert owner_en.alert == MOVED
    assert "Closed" in card.text and "Reopen" in str(card.buttons)  # as it is now
    assert (await deal_now(app, deal.id)).stage_id == ids["won"]


async def test_an_old_lost_reason_does_not_turn_a_won_deal_lost(
    app: App, owner_en: SimulatedUser
) -> None:
    ids = await stage_ids(app)
    client = await make_client(app, OWNER_ID, "Boris Orlov")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    [reasons] = await owner_en.press("Lost")
    await won_meanwhile(app, deal.id)

    await owner_en.press("too expensive", reasons)
    assert owner_en.alert == MOVED
    assert (await deal_now(app, deal.id)).stage_id == ids["won"]

    await open_deal(owner_en, deal.id)
    await owner_en.press("Reopen")
    await owner_en.press("Lost")
    await won_meanwhile(app, deal.id)
    await owner_en.send("The budget was cut")  # a typed reason, too
    won = await deal_now(app, deal.id)
    assert (won.stage_id, won.lost_reason) == (ids["won"], None)


async def test_an_old_stage_picker_does_not_move_a_won_deal(
    app: App, owner_en: SimulatedUser
) -> None:
    ids = await stage_ids(app)
    client = await make_client(app, OWNER_ID, "Vera Kim")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    [picker] = await owner_en.press("Stage")
    await won_meanwhile(app, deal.id)

    await owner_en.press("Meeting", picker)
    assert owner_en.alert == MOVED
    assert (await deal_now(app, deal.id)).stage_id == ids["won"]
