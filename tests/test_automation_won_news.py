"""A deal a rule moves to the won stage is news as one a member wins: the group chat hears of
it."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from crm.clock import ManualClock
from storage.engine import create_session_factory
from storage.models import Deal
from tests.conftest import UserFactory
from tests.test_automation_core import move, new_deal, owner, stage
from tests.test_groups import app, bound, group_messages

__all__ = ["app"]  # the groups' app: a team whose default language is English


async def test_a_deal_a_rule_wins_is_told_to_the_group(
    app: App, user: UserFactory, clock: ManualClock
) -> None:
    await bound(app, user)
    ids = {code: await stage(app, code) for code in ("invoice", "won")}
    async with app.crm.open() as crm:
        paid = [{"type": "move_stage", "stage_id": ids["won"]}]
        invoice = {"stage_id": ids["invoice"]}
        await crm.automation.add(await owner(crm), "Paid", "deal_entered_stage", invoice, paid)
    deal_id = await new_deal(app, "Paid Client", 90_000_00)
    await move(app, deal_id, "invoice")
    await app.ticker.tick()  # the new deal is told; the firing is done
    clock.advance(timedelta(hours=2))
    await app.ticker.tick()  # what the firing queued goes out
    texts = "\n".join(m.text for m in group_messages(app))
    assert "🏆 1 deal won" in texts and "• Paid Client, 90,000\u00a0₽" in texts
    async with create_session_factory(app.engine)() as db:
        won = await db.get(Deal, deal_id)
        assert won is not None
        assert won.stage_id == ids["won"] and won.closed_at is not None
