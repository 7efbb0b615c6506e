"""Report figures on fixed data, each compared with a number worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from crm.clock import ManualClock
from crm.service import Crm
from storage.models import User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

OCTOBER = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


async def actor(crm: Crm, user_id: int = OWNER_ID) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


@pytest.fixture
async def october(app: App, clock: ManualClock, join: Joiner) -> App:
    """Seven deals created in October and one in September, moved by hand.

    Stages: lead(0) contact(1) meeting(2) proposal(3) invoice(4) won lost.
    d1 lead → won (skips all)             won 100, 2 days
    d2 lead → meeting → won               won 300, 4 days (manager Max)
    d3 lead → proposal → lost "expensive" lost 50
    d4 lead → contact                      open
    d5 lead                                open
    d6 lead → invoice → contact (back)     open, furthest invoice
    d7 lead → lost "late"                  lost 70 (Max)
    d0 created in September, won in October: in the won figures, not the funnel.
    """
    await join(6001, "manager", "Max", language_code="en")
    clock.set(datetime(2026, 9, 28, 9, tzinfo=UTC))
    client = await make_client(app, OWNER_ID, "Report Client")
    await make_client(app, OWNER_ID, "Site Client", source="site")
    async with app.crm.open() as crm:
        owner, max_ = await actor(crm), await actor(crm, 6001)
        await crm.client_edits.set_manager(owner, client.id, None)  # Max works with it too
        ids = {str(s.code): s.id for s in await crm.pipelines.stages()}
        d0 = await crm.deals.create(owner, client.id, 1000_00)
        clock.set(datetime(2026, 10, 1, 9, tzinfo=UTC))
        await make_client(app, OWNER_ID, "Ad Client", source="ads")
        await crm.deals.move(owner, d0.id, ids["won"])  # closed in October
        made = {}
        for name, who, amount in (
            ("d1", owner, 100_00),
            ("d2", max_, 300_00),
            ("d3", owner, 50_00),
            ("d4", owner, 10_00),
            ("d5", owner, 20_00),
            ("d6", owner, 30_00),
            ("d7", max_, 70_00),
        ):
            made[name] = await crm.deals.create(who, client.id, amount)
        clock.advance(timedelta(days=2))
        await crm.deals.move(owner, made["d1"].id, ids["won"])
        await crm.deals.move(owner, made["d2"].id, ids["meeting"])
        await crm.deals.move(owner, made["d3"].id, ids["proposal"])
        await crm.deals.move(owner, made["d4"].id, ids["contact"])
        await crm.deals.move(owner, made["d6"].id, ids["invoice"])
        await crm.deals.move(owner, made["d6"].id, ids["contact"])
        await crm.deals.move(max_, made["d7"].id, ids["lost"], "late")
        clock.advance(timedelta(days=2))
        await crm.deals.move(owner, made["d2"].id, ids["won"])
        await crm.deals.move(owner, made["d3"].id, ids["lost"], "expensive")
    return app


async def test_funnel_and_totals(october: App) -> None:
    async with october.crm.open() as crm:
        report = await crm.reports.report(await actor(crm), *OCTOBER)
    reached = {str(step.stage.code): step.reached for step in report.funnel}
    # Furthest: d1 won, d2 won, d3 proposal, d4 contact, d5 lead, d6 invoice, d7 lead.
    assert reached == {
        "lead": 7,
        "contact": 5,
        "meeting": 4,
        "proposal": 4,
        "invoice": 3,
        "won": 2,
    }
    conversions = [step.conversion for step in report.funnel]
    assert conversions == [5 / 7, 4 / 5, 4 / 4, 3 / 4, 2 / 3, None]
    assert report.created == 7
    # Closed in October: won d0 1000, d1 100, d2 300; lost d3 50, d7 70.
    assert (report.won_count, report.won_amount) == (3, 1400_00)
    assert (report.lost_count, report.lost_amount) == (2, 120_00)
    assert report.win_rate == 3 / 5
    assert report.average_won == round(1400_00 / 3)
    # d0: Sept 28 09:00 → Oct 1 09:00 = 3 days; d1: 2 days; d2: 4 days.
    assert report.average_days_to_won == pytest.approx((3 + 2 + 4) / 3)
    assert report.lost_reasons == [("late", 1, 70_00), ("expensive", 1, 50_00)]
    assert report.won_by_member == [(OWNER_ID, 2, 1100_00), (6001, 1, 300_00)]
    assert report.clients_by_source == [("ads", 1)]


async def test_a_manager_sees_their_own_numbers(october: App) -> None:
    async with october.crm.open() as crm:
        report = await crm.reports.report(await actor(crm, 6001), *OCTOBER)
    reached = {str(step.stage.code): step.reached for step in report.funnel}
    assert reached == {"lead": 2, "contact": 1, "meeting": 1, "proposal": 1, "invoice": 1, "won": 1}
    assert (report.won_count, report.won_amount, report.lost_count) == (1, 300_00, 1)
    assert report.win_rate == 1 / 2
    assert report.clients_by_source == []


async def test_an_empty_period(october: App) -> None:
    async with october.crm.open() as crm:
        report = await crm.reports.report(
            await actor(crm), datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
        )
    assert report.created == 0 and report.win_rate is None and report.average_won is None
    assert all(step.reached == 0 and step.conversion is None for step in report.funnel)
