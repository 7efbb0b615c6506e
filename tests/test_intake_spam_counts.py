"""A lead thrown out as spam is no lost sale: its deal, moved to the lost stage, stays out of
/deals' "Lost this month" and /report's lost reasons, whatever a team's own reason is named;
and the alert says the deal moved only when it did."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.parsing.lead_fields import read_form
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

NBSP = "\u00a0"


async def queued_lead_deal(app: App, name: str) -> int:
    """A lead from a source that opens a deal, on a card it made; its deal's id."""
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        issued = await crm.lead_sources.create(owner, "Site", open_deal=True)
        await crm.intake.accept_form(issued.token, read_form([("name", name)]))
        [lead] = await crm.incoming.waiting(owner)
        assert lead.deal_id is not None
        await crm.deals.set_amount(owner, lead.deal_id, 900_000)
        return lead.deal_id


async def test_a_spam_leads_deal_is_not_counted_lost_beside_a_reason_named_spam(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await queued_lead_deal(app, "Casino")
    known = await make_client(app, OWNER_ID, "Пётр")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        made = await crm.deals.create(owner, known.id, 40_000)
        lost = next(s.id for s in await crm.pipelines.stages() if s.kind == "lost")
        await crm.deals.move(owner, made.id, lost, "spam")  # the team's own reason
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    assert owner_en.alert == "Marked as spam: the card it made is archived, its deal moved to lost."
    [deals] = await owner_en.send("/deals")
    assert f"❌ Lost this month: 1 · 400{NBSP}₽" in deals.text
    clock.advance(timedelta(hours=1))  # the report's period ends now
    [menu] = await owner_en.send("/report")
    [report] = await owner_en.press("This month", menu)
    assert f"Lost reasons\nspam: 1 · 400{NBSP}₽\n" in report.text


async def test_spam_on_a_lead_whose_deal_was_won_does_not_say_it_moved_to_lost(
    app: App, owner_en: SimulatedUser
) -> None:
    deal_id = await queued_lead_deal(app, "Casino")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        won = next(s.id for s in await crm.pipelines.stages() if s.kind == "won")
        await crm.deals.move(owner, deal_id, won)
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    assert owner_en.alert == "Marked as spam: the card it made is archived."
