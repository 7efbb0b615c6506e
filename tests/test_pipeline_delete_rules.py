"""Deleting a stage moves its deals to another, as the owner's bulk re-filing: like an import's
deals, they set off none of the rules for deals entering the stage they land on (no task or
message for each at once, no rule paused past its hourly limit), and the question before the
deletion says which rules those are (through the Dispatcher)."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from storage.models import AutomationFiring, Task
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_automation_core import rows, stage, tick
from tests.test_pipeline_settings import open_pipeline

CALL = [{"type": "create_task", "title": "Send the offer to {client.name}"}]


async def two_deals_on_the_meeting_and_rules_for_the_proposal(app: App) -> None:
    """Two deals on "meeting"; rules for deals entering "proposal" ("Old offer" paused)."""
    meeting, proposal = await stage(app, "meeting"), await stage(app, "proposal")
    owner = await member(app, OWNER_ID)
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    async with app.crm.open() as crm:
        for name in ("Offer", "Old offer"):
            on = {"stage_id": proposal}
            rule = await crm.automation.add(owner, name, "deal_entered_stage", on, CALL)
        await crm.automation.set_paused(owner, rule.id, True)
        for _ in range(2):
            deal = await crm.deals.create(owner, client.id, 0)
            await crm.deals.move(owner, deal.id, meeting)


async def test_deals_moved_off_a_deleted_stage_set_off_no_rule_and_the_owner_is_told(
    app: App, owner_en: SimulatedUser
) -> None:
    await two_deals_on_the_meeting_and_rules_for_the_proposal(app)
    await open_pipeline(owner_en)
    [screen] = await owner_en.press("Meeting")
    [where] = await owner_en.press("🗑 Delete", screen)
    [confirm] = await owner_en.press("Proposal", where)
    assert confirm.text == (
        "Move the deals (2) to Proposal and delete the stage Meeting?\n"
        "ℹ️ The moved deals will not set off the rule for deals entering Proposal "
        "(as with an import): «Offer»."
    )
    [done] = await owner_en.press("Yes, delete", confirm)
    assert "Deals moved to Proposal: 2." in done.text
    await tick(app)
    assert await rows(app, AutomationFiring) == [] and await rows(app, Task) == []


async def test_the_question_in_russian_and_without_rules_for_the_stage(
    app: App, owner: SimulatedUser
) -> None:
    await two_deals_on_the_meeting_and_rules_for_the_proposal(app)
    await owner.send("/settings")
    [settings] = await owner.press("🪜 Воронка")
    [screen] = await owner.press("Встреча", settings)
    [where] = await owner.press("🗑 Удалить", screen)
    [confirm] = await owner.press("Коммерческое предложение", where)
    assert confirm.text.endswith(
        "ℹ️ Перенесённые сделки не запустят правило для сделок, попавших на этап "
        "Коммерческое предложение "
        "(как и при импорте): «Offer»."
    )
    [back] = await owner.press("◀️ Назад", confirm)
    [where] = await owner.press("🗑 Удалить", back)
    [confirm] = await owner.press("Счёт выставлен", where)  # no rule for entering it
    assert "ℹ️" not in confirm.text
