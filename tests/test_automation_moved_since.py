"""A rule's "move the deal" waits for its delay; a member who moves the deal meanwhile has the
last word: a deal won, lost or moved on since the rule was set off stays where the member put
it (the rule's move is skipped and said), never reopened nor dragged back by the rule."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.deals.callbacks import DealCb
from storage.models import AutomationFiring, Deal
from tests.test_automation_core import move, new_deal, owner, rows, stage, tick

HOUR = timedelta(hours=1)


async def a_rule_moving_on_an_hour_later(app: App, to: str, then: str) -> None:
    """When a deal enters ``to``, an hour later it is moved on to ``then``."""
    entered, target = await stage(app, to), await stage(app, then)
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Move on",
            "deal_entered_stage",
            {"stage_id": entered},
            [{"type": "move_stage", "stage_id": target}],
            delay={"kind": "after", "minutes": 60},
        )


async def win_on_its_card(member: SimulatedUser, deal_id: int) -> None:
    """The member opens the deal's card and presses Won."""
    await member.press_data(DealCb(action="open", deal_id=deal_id).pack())
    [card] = await member.press("Won")
    assert "Paid" in card.text


async def test_a_deal_won_meanwhile_is_not_reopened_by_a_late_move(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await a_rule_moving_on_an_hour_later(app, "meeting", "proposal")
    deal_id = await new_deal(app, "Ivan", 50_000_00)
    await move(app, deal_id, "meeting")
    clock.advance(timedelta(minutes=20))
    await win_on_its_card(owner_en, deal_id)
    clock.advance(HOUR)
    await tick(app)
    [deal] = await rows(app, Deal)
    assert deal.stage_id == await stage(app, "won") and deal.closed_at is not None
    [firing] = await rows(app, AutomationFiring)
    assert firing.outcome == "skipped"
    await owner_en.send("/settings")
    await owner_en.press("Automation")
    [rule] = await owner_en.press("Move on")
    said = "Last time it could not move the deal: it was moved after the rule was set off"
    assert said in rule.text


async def test_a_deal_moved_on_meanwhile_is_not_dragged_back(app: App, clock: ManualClock) -> None:
    await a_rule_moving_on_an_hour_later(app, "contact", "meeting")
    deal_id = await new_deal(app, "Pyotr")
    await move(app, deal_id, "contact")
    clock.advance(timedelta(minutes=10))
    await move(app, deal_id, "invoice")  # the member went further meanwhile
    clock.advance(HOUR)
    await tick(app)
    [deal] = await rows(app, Deal)
    assert deal.stage_id == await stage(app, "invoice")


async def test_a_deal_left_where_it_was_is_moved_as_the_rule_says(
    app: App, clock: ManualClock
) -> None:
    await a_rule_moving_on_an_hour_later(app, "contact", "meeting")
    deal_id = await new_deal(app, "Anna")
    await move(app, deal_id, "contact")
    clock.advance(HOUR)
    await tick(app)
    [deal] = await rows(app, Deal)
    assert deal.stage_id == await stage(app, "meeting")
