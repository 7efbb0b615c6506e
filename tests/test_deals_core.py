"""Deals through the CRM core on every backend: moves, won, lost, reopen, totals, pipeline edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from crm.clock import ManualClock
from crm.deal_queries import DealFilter
from crm.errors import Conflict, InvalidInput, NotAllowed, NotFound
from crm.service import Crm
from storage.models import Deal, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MONTH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


async def actor(crm: Crm, user_id: int = OWNER_ID) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def stage_ids(crm: Crm) -> dict[str, int]:
    return {str(s.code): s.id for s in await crm.pipelines.stages()}


async def test_default_pipeline_and_reasons(app: App) -> None:
    async with app.crm.open() as crm:
        stages = await crm.pipelines.stages()
        reasons = await crm.pipelines.lost_reasons()
    assert [(s.code, s.kind) for s in stages] == [
        ("lead", "open"),
        ("contact", "open"),
        ("meeting", "open"),
        ("proposal", "open"),
        ("invoice", "open"),
        ("won", "won"),
        ("lost", "lost"),
    ]
    assert [r.code for r in reasons] == ["expensive", "competitor", "no_answer", "irrelevant"]


async def test_a_deal_moves_skips_goes_back_wins_and_reopens(app: App, clock: ManualClock) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        ids = await stage_ids(crm)
        deal = await crm.deals.create(owner, client.id, 15_000_000)
        assert (deal.title, deal.stage_id, deal.currency) == ("Ivan Petrov", ids["lead"], "RUB")
        assert (await crm.deal_queries.card(owner, deal.id)).next_stage_id == ids["contact"]

        clock.advance(timedelta(minutes=1))
        await crm.deals.move(owner, deal.id, ids["proposal"])  # skips two stages
        with pytest.raises(Conflict) as twice:
            await crm.deals.move(owner, deal.id, ids["proposal"])
        assert twice.value.code == "already_on_stage"
        await crm.deals.move(owner, deal.id, ids["contact"])  # back
        won = await crm.deals.move(owner, deal.id, ids["won"])
        assert won.closed_at == clock.now() and won.lost_reason is None
        reopened = await crm.deals.reopen(owner, deal.id)
        assert reopened.stage_id == ids["contact"] and reopened.closed_at is None
        card = await crm.deal_queries.card(owner, deal.id)
    kinds = [(e.kind, e.data.get("from_code"), e.data.get("to_code")) for e in card.events]
    assert kinds == [
        ("deal_reopened", "won", "contact"),
        ("deal_won", "contact", "won"),
        ("stage_changed", "proposal", "contact"),
        ("stage_changed", "lead", "proposal"),
        ("deal_created", None, "lead"),
    ]
    assert all(e.client_id == client.id for e in card.events)  # the client's timeline too
    assert card.events[1].data["amount"] == 15_000_000


async def test_lost_needs_a_short_reason(app: App) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        ids = await stage_ids(crm)
        deal = await crm.deals.create(owner, client.id, 100)
        for reason, code in (("", "empty"), ("  ", "empty"), ("x" * 201, "too_long")):
            with pytest.raises(InvalidInput) as error:
                await crm.deals.move(owner, deal.id, ids["lost"], reason)
            assert error.value.code == code
        lost = await crm.deals.move(owner, deal.id, ids["lost"], "  too   expensive ")
        assert lost.lost_reason == "too expensive" and lost.closed_at is not None


async def test_managers_change_only_their_own_deals(app: App, join: Joiner) -> None:
    await join(5001, "manager", "Mila", language_code="en")
    await join(5002, "manager", "Mark", language_code="en")
    client = await make_client(app, 5001, "Shared Client")
    async with app.crm.open() as crm:
        mila, mark, owner = await actor(crm, 5001), await actor(crm, 5002), await actor(crm)
        ids = await stage_ids(crm)
        deal = await crm.deals.create(mila, client.id, 500)
        with pytest.raises(NotFound):  # Mark does not even see Mila's client
            await crm.deals.move(mark, deal.id, ids["won"])
        await crm.client_edits.set_manager(owner, client.id, None)  # now everyone sees it
        with pytest.raises(NotAllowed):
            await crm.deals.move(mark, deal.id, ids["won"])
        await crm.deals.move(mila, deal.id, ids["meeting"])
        await crm.deals.move(owner, deal.id, ids["invoice"])
        with pytest.raises(Conflict) as gone:
            await crm.deals.move(owner, deal.id, 99_999)
        assert gone.value.code == "stage_gone"


async def test_overview_totals_match_hand_computed_numbers(
    app: App, clock: ManualClock, join: Joiner
) -> None:
    await join(5003, "manager", "Max", language_code="en")
    a = await make_client(app, OWNER_ID, "Client A")
    b = await make_client(app, 5003, "Client B")
    async with app.crm.open() as crm:
        owner, max_ = await actor(crm), await actor(crm, 5003)
        ids = await stage_ids(crm)

        async def deal(
            who: User, client_id: int, amount: int, stage: str, reason: str = ""
        ) -> Deal:
            made = await crm.deals.create(who, client_id, amount)
            if stage != "lead":
                await crm.deals.move(who, made.id, ids[stage], reason or None)
            return made

        # Closed last month: must not count as "this month".
        clock.set(datetime(2026, 2, 20, 12, tzinfo=UTC))
        await deal(owner, a.id, 1_000_00, "won")
        await deal(owner, a.id, 2_000_00, "lost", "late")
        clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
        await deal(owner, a.id, 10_000_00, "lead")
        await deal(owner, a.id, 20_000_00, "lead")
        await deal(max_, b.id, 30_000_00, "meeting")
        await deal(max_, b.id, 40_000_00, "invoice")
        await deal(owner, a.id, 50_000_00, "won")
        await deal(max_, b.id, 60_000_00, "won")
        await deal(max_, b.id, 70_000_00, "lost", "expensive")

        everything = await crm.deal_queries.overview(owner, DealFilter(), *MONTH)
        per_stage = {str(t.stage.code): (t.count, t.amount) for t in everything.stages}
        assert per_stage == {
            "lead": (2, 30_000_00),
            "contact": (0, 0),
            "meeting": (1, 30_000_00),
            "proposal": (0, 0),
            "invoice": (1, 40_000_00),
        }
        assert (everything.open_count, everything.open_amount) == (4, 100_000_00)
        assert (everything.won_count, everything.won_amount) == (2, 110_000_00)
        assert (everything.lost_count, everything.lost_amount) == (1, 70_000_00)

        mine = await crm.deal_queries.overview(max_, DealFilter(mine=True), *MONTH)
        assert (mine.open_count, mine.open_amount) == (2, 70_000_00)
        assert (mine.won_count, mine.won_amount, mine.lost_count) == (1, 60_000_00, 1)
        # A manager sees only deals of the clients they see.
        seen = await crm.deal_queries.overview(max_, DealFilter(), *MONTH)
        assert seen.open_count == 2

        lines, total = await crm.deal_queries.on_stage(owner, ids["lead"], DealFilter(), *MONTH, 0)
        assert total == 2 and sorted(line.deal.amount_minor for line in lines) == [
            10_000_00,
            20_000_00,
        ]

        # Stale: the lead stage allows 3 days without activity.
        clock.advance(timedelta(days=4))
        stale = await crm.deal_queries.overview(owner, DealFilter(stale=True), *MONTH)
        assert {str(t.stage.code): t.count for t in stale.stages if t.count} == {"lead": 2}


async def test_owner_edits_the_pipeline(app: App, join: Joiner) -> None:
    await join(5004, "admin", "Ada", language_code="en")
    client = await make_client(app, OWNER_ID, "Pipeline Client")
    async with app.crm.open() as crm:
        owner, admin = await actor(crm), await actor(crm, 5004)
        ids = await stage_ids(crm)
        with pytest.raises(NotAllowed):
            await crm.pipelines.add_stage(admin, "Tender")
        tender = await crm.pipelines.add_stage(owner, "  Tender ")
        stages = await crm.pipelines.stages()
        assert [s.name or s.code for s in stages][-3:] == ["Tender", "won", "lost"]
        await crm.pipelines.move_stage(owner, tender.id, -1)
        assert [s.name or s.code for s in await crm.pipelines.stages()][4:6] == [
            "Tender",
            "invoice",
        ]
        await crm.pipelines.rename_stage(owner, ids["lead"], "Заявка")
        await crm.pipelines.set_stale_days(owner, ids["lead"], 5)
        with pytest.raises(InvalidInput):
            await crm.pipelines.set_stale_days(owner, ids["won"], 5)

        deal = await crm.deals.create(owner, client.id, 0)
        with pytest.raises(InvalidInput) as first:
            await crm.pipelines.delete_stage(owner, ids["lead"], None)
        assert first.value.code == "move_deals_first"
        assert await crm.pipelines.delete_stage(owner, ids["lead"], tender.id) == 1
        moved = await crm.deals.visible(owner, deal.id)
        assert moved.stage_id == tender.id
        card = await crm.deal_queries.card(owner, deal.id)
        assert card.events[0].data["from_name"] == "Заявка" and card.events[0].data["stage_deleted"]

        reason = await crm.pipelines.add_lost_reason(owner, "Ушли к конкуренту")
        await crm.pipelines.rename_lost_reason(owner, reason.id, "Конкурент")
        await crm.pipelines.delete_lost_reason(owner, reason.id)
        with pytest.raises(Conflict):
            await crm.pipelines.delete_lost_reason(owner, reason.id)
