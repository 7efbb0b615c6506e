"""A lead thrown out as spam is no lost sale: its deal, moved to the lost stage, stays out of
/deals' "Lost this month" and /report's lost reasons, whatever a team's own reason is named;
and the alert says the deal moved only when it did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.parsing.lead_fields import read_form
from storage.models import Client
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, START

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


def by_source(report: str) -> list[str]:
    """The lines of the report's "New clients by source", its last part."""
    return report.split("\nNew clients by source\n")[1].splitlines()


async def this_month(owner: SimulatedUser) -> tuple[str, list[str]]:
    """/report for this month, and the lines of its By source."""
    [menu] = await owner.send("/report")
    [report] = await owner.press("This month", menu)
    text = report.text  # By source edits the message
    [sources] = await owner.press("By source")
    return text, sources.text.splitlines()


async def next_mornings_summary(app: App, owner: SimulatedUser, clock: ManualClock) -> str:
    clock.set(START.replace(hour=6) + timedelta(days=1))  # 09:00 in Moscow the next day
    await app.ticker.tick()
    summary = owner.last_message().text
    assert summary.startswith("Summary for 02.03.2026")
    return summary


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


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "Marked as spam: the card it brought back from the archive is archived again, "
            "its deal moved to lost.",
        ),
        (
            "ru",
            "Отмечено как спам: карточка, которую заявка вернула из архива, снова в архиве, "
            "её сделка — в «Проиграно».",
        ),
    ],
)
async def test_a_spammer_posting_again_goes_back_to_the_archive_on_spam(
    app: App, owner_en: SimulatedUser, language: str, said: str
) -> None:
    """The spammer's second lead brings the archived card back; Spam on it archives the card
    again (it stayed in every list, "the card was there before")."""
    form = [("name", "Casino"), ("phone", "+79990001122")]
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.members.set_language(owner, language)
        issued = await crm.lead_sources.create(owner, "Site", open_deal=True)
        await crm.intake.accept_form(issued.token, read_form([*form, ("n", "1")]))
    spam = "Spam" if language == "en" else "Спам"
    await owner_en.send("/incoming")
    await owner_en.press(spam)
    async with app.crm.open() as crm:
        await crm.intake.accept_form(issued.token, read_form([*form, ("n", "2")]))
        [lead] = await crm.incoming.waiting(owner)
        card = await crm.client_edits.visible(owner, lead.client_id)
        assert card.archived_at is None  # the new lead restored it
    await owner_en.send("/incoming")
    await owner_en.press(spam)
    assert owner_en.alert == said
    async with app.crm.open() as crm:
        card = await crm.client_edits.visible(owner, lead.client_id)
        assert card.archived_at is not None


async def test_spam_leaves_a_card_a_member_restored_after_the_lead(
    app: App, owner_en: SimulatedUser
) -> None:
    """A card the lead brought back, then archived and restored by hand, is the member's
    decision: Spam on the lead leaves it active, and says a member brought it back (it
    said the client's card was there before)."""
    form = [("name", "Casino"), ("phone", "+79990001122")]
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        issued = await crm.lead_sources.create(owner, "Site", open_deal=True)
        await crm.intake.accept_form(issued.token, read_form([*form, ("n", "1")]))
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    async with app.crm.open() as crm:
        await crm.intake.accept_form(issued.token, read_form([*form, ("n", "2")]))
        [lead] = await crm.incoming.waiting(owner)
        await crm.client_edits.set_archived(owner, lead.client_id, True)
        await crm.client_edits.set_archived(owner, lead.client_id, False)
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    assert owner_en.alert == (
        "Marked as spam: its deal moved to lost; the card stays, a member brought it back "
        "from the archive."
    )
    async with app.crm.open() as crm:
        card = await crm.client_edits.visible(owner, lead.client_id)
        assert card.archived_at is None


async def test_a_spam_leads_deal_is_not_counted_created_in_the_report_or_the_digest(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """The funnel, /report → By source and the next morning's summary counted the spam
    lead's deal as created (and opened) beside the member's real one."""
    await owner_en.send("/start")  # the bot learns the owner's name, for the summary
    await queued_lead_deal(app, "Casino")
    known = await make_client(app, OWNER_ID, "Пётр", source="Site")
    async with app.crm.open() as crm:
        await crm.deals.create(await member(app, OWNER_ID), known.id, 40_000)
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    clock.advance(timedelta(hours=1))  # the report's period ends now
    report, sources = await this_month(owner_en)
    assert "Funnel: deals created in the period, 1\n" in report
    assert f"Site: 1 · 1 · 0 · 0% · 0{NBSP}₽" in sources
    summary = await next_mornings_summary(app, owner_en, clock)
    assert f"Deals created: 1, 400{NBSP}₽" in summary
    assert "Deals lost" not in summary


async def test_a_card_a_spam_lead_made_is_no_new_client_until_a_member_restores_it(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """/report's "New clients by source", /report → By source's new clients and conversion
    and the summary's "New clients" counted the card a spam lead made, archived by Spam:
    a spammer inflated the source's new clients and halved its conversion here."""
    await owner_en.send("/start")  # the bot learns the owner's name, for the summary
    await queued_lead_deal(app, "Casino")
    known = await make_client(app, OWNER_ID, "Пётр", source="Site")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        made = await crm.deals.create(owner, known.id, 40_000)
        won = next(s.id for s in await crm.pipelines.stages() if s.kind == "won")
        await crm.deals.move(owner, made.id, won)
        [casino] = await crm.incoming.waiting(owner)
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    clock.advance(timedelta(hours=1))  # the report's period ends now
    report, sources = await this_month(owner_en)
    assert by_source(report) == ["Site: 1"]
    assert f"Site: 1 · 1 · 1 · 100% · 400{NBSP}₽" in sources
    assert "New clients: 1 (Пётр)" in await next_mornings_summary(app, owner_en, clock)
    async with app.crm.open() as crm:  # a member restores the card: a client after all
        await crm.client_edits.set_archived(owner, casino.client_id, False)
    report, sources = await this_month(owner_en)
    assert by_source(report) == ["Site: 2"]
    assert f"Site: 2 · 1 · 1 · 50% · 400{NBSP}₽" in sources


async def test_a_card_a_member_made_stays_a_new_client_after_spam_archives_it_again(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """A card the member made and archived, brought back by a spam lead and archived again
    by Spam, is the member's new client still: only spam's own cards are left out."""
    known = await make_client(app, OWNER_ID, "Пётр", source="Site", phones=("+79990001122",))
    async with app.engine.begin() as db:  # nobody's card: its lead waits in /incoming
        await db.execute(update(Client).where(Client.id == known.id).values(manager_id=None))
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.client_edits.set_archived(owner, known.id, True)
        issued = await crm.lead_sources.create(owner, "Site", open_deal=True)
        await crm.intake.accept_form(
            issued.token, read_form([("name", "Casino"), ("phone", "+79990001122")])
        )
    await owner_en.send("/incoming")
    await owner_en.press("Spam")
    assert owner_en.alert.startswith("Marked as spam: the card it brought back from the archive")
    clock.advance(timedelta(hours=1))  # the report's period ends now
    report, _sources = await this_month(owner_en)
    assert by_source(report) == ["Site: 1"]
