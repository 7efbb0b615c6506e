"""Automation through the CRM core with a controlled clock, on every backend: starter rules
fire once for their trigger and delay (also across a restart), conditions filter, round-robin
spreads leads, runaway rules stop, two schedulers on one database fire each rule once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.startup import prepare_database
from crm.automation.rules import due_after
from crm.clock import ManualClock
from crm.errors import InvalidInput
from crm.service import Crm
from storage.engine import create_session_factory, write_transaction
from storage.models import (
    AutomationFiring,
    AutomationRule,
    ClientTag,
    Event,
    OutboxMessage,
    Task,
    User,
)
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, make_settings

MINUTE = timedelta(minutes=1)


async def owner(crm: Crm) -> User:
    found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def add_manager(app: App, user_id: int) -> User:
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        member = User(
            id=user_id,
            full_name=f"Member {user_id}",
            role="manager",
            active=True,
            language="en",
            timezone="Europe/Moscow",
            created_at=app.crm.clock.now(),
            morning_list=False,
        )
        db.add(member)
    return member


async def starter(app: App, code: str, text: str = "Call back {client.name}") -> AutomationRule:
    async with app.crm.open() as crm:
        return await crm.automation.add_starter(await owner(crm), code, code, text)


async def tick(app: App) -> int:
    async with app.crm.open(background=True) as crm:  # as the scheduler opens it
        return await crm.automation.tick()


async def rows(app: App, model: Any, *where: Any) -> list[Any]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(model).where(*where).order_by(model.id)))


async def stage(app: App, code: str) -> int:
    async with app.crm.open() as crm:
        return next(s.id for s in await crm.pipelines.stages() if s.code == code)


async def new_deal(app: App, name: str, amount: int = 100_000) -> int:
    client = await make_client(app, OWNER_ID, name)
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await owner(crm), client.id, amount)
    return deal.id


async def move(app: App, deal_id: int, code: str) -> None:
    target = await stage(app, code)
    async with app.crm.open() as crm:
        await crm.deals.move(await owner(crm), deal_id, target, reason="expensive")


# --- the starter rules ------------------------------------------------------------------------


async def test_new_client_gets_a_call_back_task_in_15_minutes_once(
    app: App, clock: ManualClock
) -> None:
    rule = await starter(app, "call_new")
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    [firing] = await rows(app, AutomationFiring)
    assert (firing.rule_id, firing.client_id, firing.done_at) == (rule.id, client.id, None)

    assert await tick(app) == 1
    assert await tick(app) == 0
    [task] = await rows(app, Task)
    assert task.title == "Call back Ivan Petrov"
    assert task.due_at == clock.now() + 15 * MINUTE and task.priority == "high"
    assert (task.assignee_id, task.client_id) == (OWNER_ID, client.id)
    [event] = await rows(app, Event, Event.kind == "automation")
    assert event.client_id == client.id and event.task_id == task.id
    assert event.data["rule"] == "call_new"
    async with app.crm.open() as crm:
        [summary] = await crm.automation.rules(await owner(crm))
    assert summary.this_week == 1 and summary.rule.last_fired_at == clock.now()


async def test_offer_stage_gets_a_follow_up_in_two_days(app: App, clock: ManualClock) -> None:
    await starter(app, "offer_follow_up", "Follow up: {deal.title}")
    deal_id = await new_deal(app, "Anna Lee")
    await move(app, deal_id, "contact")
    assert await tick(app) == 0  # not the offer stage
    await move(app, deal_id, "proposal")
    assert await tick(app) == 1
    [task] = await rows(app, Task)
    assert (task.title, task.deal_id) == ("Follow up: Anna Lee", deal_id)
    assert task.due_at == clock.now() + timedelta(days=2)


async def test_a_stale_deal_tells_the_owner_once(app: App, clock: ManualClock) -> None:
    await starter(app, "stale_deal", "{deal.title} is stuck")
    deal_id = await new_deal(app, "Oleg Sidorov")
    fresh = await new_deal(app, "Fresh Deal")
    clock.advance(timedelta(days=3))
    await move(app, fresh, "contact")
    clock.advance(timedelta(days=4, minutes=1))
    assert await tick(app) == 1
    clock.advance(timedelta(hours=5))
    assert await tick(app) == 0
    notices = await rows(app, OutboxMessage, OutboxMessage.kind == "automation_notice")
    assert [(n.chat_id, n.payload["text"]) for n in notices] == [
        (OWNER_ID, "Oleg Sidorov is stuck")
    ]
    [firing] = await rows(app, AutomationFiring)
    assert firing.deal_id == deal_id
    clock.advance(timedelta(days=3))  # now the other one went stale too
    assert await tick(app) == 1


async def test_won_deal_gets_ask_for_a_review_in_7_days(app: App, clock: ManualClock) -> None:
    await starter(app, "ask_review", "Ask {client.name} for a review")
    deal_id = await new_deal(app, "Maria K")
    await move(app, deal_id, "lost")
    assert await tick(app) == 0
    await move(app, deal_id, "contact")
    await move(app, deal_id, "won")
    assert await tick(app) == 1
    [task] = await rows(app, Task)
    assert task.title == "Ask Maria K for a review"
    assert task.due_at == clock.now() + timedelta(days=7)


# --- delays and restarts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Moscow is UTC+3: 10:00 there is 07:00 UTC.
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 7, 0, tzinfo=UTC)),  # Mon
        (datetime(2026, 3, 6, 9, 0, tzinfo=UTC), datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),  # Fri
        (datetime(2026, 3, 7, 9, 0, tzinfo=UTC), datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),  # Sat
        (
            datetime(2026, 3, 8, 22, 0, tzinfo=UTC),
            datetime(2026, 3, 10, 7, 0, tzinfo=UTC),
        ),  # Mon 01:00
    ],
)
def test_next_working_day_at_ten(now: datetime, expected: datetime) -> None:
    assert due_after({"kind": "next_workday"}, now, "Europe/Moscow") == expected


@pytest.mark.parametrize(
    "delay",
    [
        {"kind": "after", "minutes": 0},
        {"kind": "after"},
        {"kind": "soon"},
        {"kind": "after", "minutes": "5"},
    ],
)
def test_a_bad_delay_is_refused(delay: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        due_after(delay, datetime(2026, 3, 2, tzinfo=UTC), "UTC")


async def test_a_delayed_rule_survives_a_restart_and_fires_once(
    database_url: str, clock: ManualClock
) -> None:
    settings = make_settings(database_url)
    before = build_app(settings, session=OfflineSession(), clock=clock)
    await prepare_database(before)
    async with before.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Welcome",
            "client_created",
            {},
            [{"type": "add_tag", "tag": "welcomed"}],
            delay={"kind": "after", "minutes": 60},
        )
    client = await make_client(before, OWNER_ID, "Late Lead")
    clock.advance(30 * MINUTE)
    assert await tick(before) == 0
    await before.close()  # the bot goes down in the middle of the delay

    clock.advance(2 * 60 * MINUTE)  # and comes back after the firing was due
    after = build_app(settings, session=OfflineSession(), clock=clock)
    try:
        await prepare_database(after)
        assert await tick(after) == 1
        assert await tick(after) == 0
        async with after.crm.open() as crm:
            contacts = await crm.clients.contacts(client.id)
        assert contacts.tags == ["welcomed"]
        assert len(await rows(after, Event, Event.kind == "automation")) == 1
    finally:
        await after.close()


# --- conditions, round-robin ------------------------------------------------------------------


async def test_conditions_filter(app: App) -> None:
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Big wins",
            "deal_won",
            {},
            [{"type": "notify", "to": "owner", "text": "Won {deal.amount}"}],
            conditions=[{"field": "amount", "op": "gt", "value": 1_000_000}],
        )
        await crm.automation.add(
            await owner(crm),
            "Site leads",
            "client_created",
            {"source": "Site"},
            [{"type": "set_status", "status": "in_work"}],
        )
    small, big = await new_deal(app, "Small", 50_000), await new_deal(app, "Big", 5_000_000)
    await move(app, small, "won")
    await move(app, big, "won")
    await make_client(app, OWNER_ID, "From site", source="site")
    await make_client(app, OWNER_ID, "From a call", source="call")
    assert await tick(app) == 2
    [notice] = await rows(app, OutboxMessage, OutboxMessage.kind == "automation_notice")
    assert notice.payload["text"] == "Won 50\u00a0000\u00a0₽"
    statuses = {e.data["new"] for e in await rows(app, Event, Event.kind == "status_changed")}
    assert statuses == {"in_work"}


async def test_a_tag_condition_reads_the_clients_tags_when_the_trigger_fires(app: App) -> None:
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "VIP wins",
            "deal_won",
            {},
            [{"type": "notify", "to": "owner", "text": "VIP won {deal.title}"}],
            conditions=[{"field": "tag", "op": "has", "value": "VIP"}],
        )
    plain = await new_deal(app, "Plain")
    client = await make_client(app, OWNER_ID, "Vip")
    async with app.crm.open() as crm:
        await crm.client_edits.add_tags(await owner(crm), client.id, ["vip"])
        vip = (await crm.deals.create(await owner(crm), client.id, 100_000)).id
    await move(app, plain, "won")
    await move(app, vip, "won")
    assert await tick(app) == 1
    [firing] = await rows(app, AutomationFiring)
    assert firing.deal_id == vip


async def test_a_skipped_firing_does_not_keep_its_tag_from_a_later_one(app: App) -> None:
    """A stage the client cannot have is skipped alone: the first firing's tag stays, and a
    later firing of the batch for the same client sees it (no second row for the tag)."""
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me,
            "Tag, then a stage it cannot have",
            "client_created",
            {},
            [{"type": "add_tag", "tag": "vip"}, {"type": "move_stage", "stage_id": 1}],
        )
        await crm.automation.add(
            me, "Tag", "client_created", {}, [{"type": "add_tag", "tag": "vip"}]
        )
    client = await make_client(app, OWNER_ID, "Lead")
    assert await tick(app) == 2
    outcomes = sorted(f.outcome for f in await rows(app, AutomationFiring))
    assert outcomes == ["done", "done"]
    async with create_session_factory(app.engine)() as db:
        tags = list(await db.scalars(select(ClientTag.tag).where(ClientTag.client_id == client.id)))
    assert tags == ["vip"]


async def test_round_robin_spreads_new_leads_evenly(app: App) -> None:
    team = [await add_manager(app, user_id) for user_id in (501, 502, 503)]
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Share leads",
            "client_created",
            {},
            [{"type": "round_robin", "members": [m.id for m in team]}],
        )
    for n in range(7):
        await make_client(app, OWNER_ID, f"Lead {n}")
    assert await tick(app) == 7
    async with app.crm.open() as crm:
        page = await crm.automation.rules(await owner(crm))
    assert page[0].rule.state["rr"] == 7
    from storage.models import Client

    managers = Counter(c.manager_id for c in await rows(app, Client))
    assert managers == {501: 3, 502: 2, 503: 2}


# --- runaway ----------------------------------------------------------------------------------


async def test_rules_that_set_each_other_off_stop(app: App) -> None:
    contact, meeting = await stage(app, "contact"), await stage(app, "meeting")
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me, "There", "deal_entered_stage", {"stage_id": contact},
            [{"type": "move_stage", "stage_id": meeting}],
        )  # fmt: skip
        await crm.automation.add(
            me, "Back", "deal_entered_stage", {"stage_id": meeting},
            [{"type": "move_stage", "stage_id": contact}],
        )  # fmt: skip
    deal_id = await new_deal(app, "Ping Pong")
    await move(app, deal_id, "contact")
    for _ in range(5):
        await tick(app)
    firings = await rows(app, AutomationFiring)
    # There → Back; Back's move would set off There, which is already in the chain.
    assert [f.depth for f in firings] == [0, 1]
    assert all(f.outcome == "done" for f in firings)


async def test_a_rule_firing_too_often_is_paused_and_the_owner_told(
    database_url: str, clock: ManualClock
) -> None:
    limited = build_app(
        make_settings(database_url, automation_max_per_hour=3),
        session=OfflineSession(),
        clock=clock,
    )
    await prepare_database(limited)
    try:
        rule = await starter(limited, "call_new")
        for n in range(5):
            await make_client(limited, OWNER_ID, f"Flood {n}")
        assert await tick(limited) == 3
        [paused] = await rows(limited, AutomationRule)
        assert paused.paused_reason == "runaway"
        [note] = await rows(limited, OutboxMessage, OutboxMessage.kind == "automation_paused")
        assert (note.chat_id, note.payload["rule_id"]) == (OWNER_ID, rule.id)
        async with limited.crm.open() as crm:
            await crm.automation.set_paused(await owner(crm), rule.id, False)
        await make_client(limited, OWNER_ID, "After resume")
        assert await tick(limited) == 1
    finally:
        await limited.close()


# --- testing a rule, pausing ------------------------------------------------------------------


async def test_a_rule_test_shows_what_would_happen_and_writes_nothing(app: App) -> None:
    rule = await starter(app, "ask_review", "Ask {client.name} ({client.company}) for a review")
    deal_id = await new_deal(app, "Nina")
    async with app.crm.open() as crm:
        preview = await crm.automation.test(await owner(crm), rule.id, deal_id=deal_id)
    assert preview.would_fire
    assert preview.actions[0]["title"] == "Ask Nina () for a review"
    assert preview.missing == ["client.company"]
    assert await rows(app, Task) == [] and await rows(app, AutomationFiring) == []


async def test_a_paused_rule_does_not_fire(app: App) -> None:
    rule = await starter(app, "call_new")
    async with app.crm.open() as crm:
        await crm.automation.set_paused(await owner(crm), rule.id, True)
    await make_client(app, OWNER_ID, "Nobody calls")
    assert await tick(app) == 0 and await rows(app, Task) == []


async def test_a_manager_may_not_manage_rules(app: App) -> None:
    manager = await add_manager(app, 601)
    async with app.crm.open() as crm:
        with pytest.raises(Exception) as refused:
            await crm.automation.rules(manager)
    assert getattr(refused.value, "code", None) == "not_allowed"


@pytest.mark.parametrize(
    ("trigger", "params", "actions", "part"),
    [
        ("sometime", {}, [{"type": "notify", "to": "owner", "text": "x"}], "trigger"),
        ("deal_stale", {"days": 0}, [{"type": "notify", "to": "owner", "text": "x"}], "days"),
        ("client_created", {}, [], "action"),
        ("client_created", {}, [{"type": "notify", "to": "boss", "text": "x"}], "action"),
        ("client_created", {}, [{"type": "round_robin", "members": []}], "members"),
    ],
)
async def test_a_broken_rule_is_refused(
    app: App, trigger: str, params: dict[str, Any], actions: list[dict[str, Any]], part: str
) -> None:
    async with app.crm.open() as crm:
        with pytest.raises(InvalidInput) as refused:
            await crm.automation.add(await owner(crm), "Bad", trigger, params, actions)
    assert refused.value.params["part"] == part


async def test_an_unknown_placeholder_in_a_rule_is_refused(app: App) -> None:
    async with app.crm.open() as crm:
        with pytest.raises(InvalidInput) as refused:
            await crm.automation.add_starter(await owner(crm), "call_new", "x", "Call {client.nme}")
    assert refused.value.code == "unknown_placeholder"
    assert refused.value.params["name"] == "client.nme"


# --- two schedulers ---------------------------------------------------------------------------


@pytest.fixture
async def two_apps(database_url: str, clock: ManualClock) -> AsyncIterator[list[App]]:
    apps = []
    try:
        for _ in range(2):
            app = build_app(make_settings(database_url), session=OfflineSession(), clock=clock)
            apps.append(app)
            await prepare_database(app)
        yield apps
    finally:
        for app in apps:
            await app.close()


async def test_two_schedulers_on_one_database_fire_each_rule_once(
    two_apps: list[App], clock: ManualClock
) -> None:
    first, second = two_apps
    async with first.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Tag and tell",
            "client_created",
            {},
            [
                {"type": "add_tag", "tag": "new"},
                {"type": "notify", "to": "owner", "text": "New: {client.name}"},
            ],
            delay={"kind": "after", "minutes": 10},
        )
    clients = [await make_client(first, OWNER_ID, f"Lead {n}") for n in range(40)]
    clock.advance(11 * MINUTE)

    async def run(app: App) -> None:
        more = True  # until its batch says no more may be due (at most 40 batches of 3)
        for _ in range(40):
            if not more:
                return
            async with app.crm.open(background=True) as crm:  # as the scheduler opens it
                _, more = await crm.automation.runner.run_due(limit=3)
            await asyncio.sleep(0)

    await asyncio.gather(run(first), run(second))
    firings = await rows(first, AutomationFiring)
    assert len(firings) == 40 and all(f.outcome == "done" for f in firings)
    events = await rows(first, Event, Event.kind == "automation")
    assert Counter(e.client_id for e in events) == {c.id: 1 for c in clients}
    notices = await rows(first, OutboxMessage, OutboxMessage.kind == "automation_notice")
    assert len(notices) == 40


async def test_a_firing_that_cannot_act_is_skipped_and_spoils_no_other(app: App) -> None:
    contact = await stage(app, "contact")
    await starter(app, "call_new")
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Move a client?",
            "client_created",
            {},
            [{"type": "move_stage", "stage_id": contact}],  # a client has no deal to move
        )
    for n in range(3):
        await make_client(app, OWNER_ID, f"Lead {n}")
    assert await tick(app) == 6
    outcomes = Counter((f.rule_id, f.outcome) for f in await rows(app, AutomationFiring))
    assert sorted(outcomes.values()) == [3, 3]
    assert {outcome for _, outcome in outcomes} == {"done", "skipped"}
    assert len(await rows(app, Task)) == 3
    assert len(await rows(app, Event, Event.kind == "automation")) == 3


async def test_a_tag_a_rule_adds_or_takes_off_is_found_by_search_as_it_is(app: App) -> None:
    """A rule's tag went into the card's tags but not into its search line, so /find did
    not find the card by it; and a tag of a rule saved before tags had to show anything
    (direction marks alone) went on as a blank tag."""
    async with app.crm.open() as crm:
        me = await owner(crm)
        tagging = await crm.automation.add(
            me, "Tag", "client_created", {}, [{"type": "add_tag", "tag": "welcomed"}]
        )
        await crm.automation.add(
            me,
            "Untag",
            "field_changed",
            {"field": "client.status"},
            [{"type": "remove_tag", "tag": "welcomed"}],
        )
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        rule = await db.get(AutomationRule, tagging.id)
        assert rule is not None
        rule.actions = [*rule.actions, {"type": "add_tag", "tag": "\u200b\u200f"}]
    client = await make_client(app, OWNER_ID, "Lead")
    await tick(app)

    async def found(text: str) -> list[int]:
        async with app.crm.open() as crm:
            return [c.id for c in await crm.client_queries.search(await owner(crm), text)]

    async with create_session_factory(app.engine)() as db:
        tags = list(await db.scalars(select(ClientTag.tag).where(ClientTag.client_id == client.id)))
    assert tags == ["welcomed"]
    assert await found("welcomed") == [client.id]
    async with app.crm.open() as crm:
        await crm.client_edits.set_status(await owner(crm), client.id, "warm")
    await tick(app)
    assert await found("welcomed") == []
