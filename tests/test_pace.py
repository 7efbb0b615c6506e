"""Members first: background work gives way while a member's session is open (crm/pace.py),
and a rule's backlog of firings stops its batch for a member and goes on after."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import select

from bot.app import App
from crm.automation.manage import BUSY_BATCH, QUIET_BATCH
from crm.automation.runner import Runner
from crm.pace import Chunks, Pace
from storage.engine import create_session_factory
from storage.models import AutomationFiring, ClientTag, Event
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_automation_core import owner, rows
from tests.test_idle_tick import statements


async def test_give_way_returns_at_once_when_nobody_is_answered() -> None:
    pace = Pace(max_wait=5)
    started = time.monotonic()
    await pace.give_way()
    assert time.monotonic() - started < 0.5
    assert not pace.busy


async def test_give_way_waits_for_the_member_then_goes_on() -> None:
    pace = Pace(max_wait=5)
    order: list[str] = []

    async def member() -> None:
        with pace.member():
            assert not pace.busy  # not for its own task
            await asyncio.sleep(0.05)
            order.append("member answered")

    answering = asyncio.create_task(member())
    await asyncio.sleep(0)
    assert pace.busy
    await pace.give_way()
    order.append("background goes on")
    await answering
    assert order == ["member answered", "background goes on"]
    assert not pace.busy


@asynccontextmanager
async def member_meanwhile(pace: Pace) -> AsyncIterator[None]:
    """A member's update under way in another task for as long as the block runs."""
    inside, leave = asyncio.Event(), asyncio.Event()

    async def member() -> None:
        with pace.member():
            inside.set()
            await leave.wait()

    answering = asyncio.create_task(member())
    await inside.wait()
    try:
        yield
    finally:
        leave.set()
        await answering


async def test_give_way_is_not_starved_by_a_member_who_never_leaves() -> None:
    pace = Pace(max_wait=0.05)
    async with member_meanwhile(pace):
        assert pace.busy
        started = time.monotonic()
        await pace.give_way()
        assert 0.04 <= time.monotonic() - started < 1
    assert not pace.busy and pace.recently_busy


async def test_a_job_inside_a_members_own_update_does_not_wait_for_itself() -> None:
    pace = Pace(max_wait=5)
    with pace.member():
        assert not pace.busy
        started = time.monotonic()
        await pace.give_way()
        assert time.monotonic() - started < 0.5


async def test_a_member_session_is_counted_and_a_background_one_is_not(app: App) -> None:
    assert not app.crm.pace.busy
    async with app.crm.open(background=True):
        assert not app.crm.pace.busy
    opened, leave = asyncio.Event(), asyncio.Event()

    async def update() -> None:
        async with app.crm.open():
            opened.set()
            await leave.wait()

    answering = asyncio.create_task(update())
    await opened.wait()
    assert app.crm.pace.busy
    leave.set()
    await answering
    assert not app.crm.pace.busy


async def test_a_batch_of_firings_stops_for_a_member_and_the_rest_follow(app: App) -> None:
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Call new leads",
            "client_created",
            {},
            [{"type": "add_tag", "tag": "lead"}],
        )
    for n in range(6):
        await make_client(app, OWNER_ID, f"Lead {n}")
    one_writer = app.engine.dialect.name == "sqlite"
    async with app.crm.open(background=True) as background:
        runner = background.automation.runner
        async with member_meanwhile(app.crm.pace):  # a member's update comes in
            if one_writer:  # the member's write would wait: the batch is undone at once
                assert await runner.run_due(limit=50) == (0, True)
                assert [f.outcome for f in await rows(app, AutomationFiring)] == [None] * 6
                assert await tag_count(app) == 0
            # Given way once (or on PostgreSQL, where nobody waits for its lock): one
            # firing is done and committed, so a busy team cannot starve the firings.
            assert await runner.run_due(limit=50) == (1, True)
        assert await background.automation.tick() == 5  # nobody waits: the rest in one go
    firings = await rows(app, AutomationFiring)
    assert [f.outcome for f in firings] == ["done"] * 6
    assert await tag_count(app) == 6


class BusyAfter(Pace):
    """A member's update comes in after ``checks`` looks at ``busy`` (and stays)."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.left = checks

    @property
    def busy(self) -> bool:
        self.left -= 1
        return self.left < 0


@pytest.mark.parametrize("checks", range(12))
async def test_a_batch_that_gives_way_anywhere_leaves_nothing_half_done(
    app: App, checks: int
) -> None:
    """Wherever a member comes in (before the lock, between reads, between firings),
    what is committed is whole: as many tags and automation events as firings done."""
    async with app.crm.open() as crm:
        rule = await crm.automation.add(
            await owner(crm), "Leads", "client_created", {}, [{"type": "add_tag", "tag": "lead"}]
        )
    for n in range(6):
        await make_client(app, OWNER_ID, f"Lead {n}")
    async with app.crm.open(background=True) as background:
        runner = background.automation.runner
        runner._pace = BusyAfter(checks)
        settled, more = await runner.run_due(limit=50)
        if app.engine.dialect.name == "sqlite":  # all or nothing
            assert (settled, more) in ((0, True), (6, False))
        else:  # PostgreSQL: the firing at hand, then what is done is committed
            assert settled >= 1
        await assert_whole(app, rule.id)
        runner._pace = BusyAfter(0)  # still busy: having given way, the batch goes on anyway
        assert (await runner.run_due(limit=50))[0] >= (1 if settled < 6 else 0)
        await assert_whole(app, rule.id)
        runner._pace = Pace()
        while (await runner.run_due(limit=50))[1]:
            pass
    await assert_whole(app, rule.id, done=6)


async def assert_whole(app: App, rule_id: int, done: int | None = None) -> None:
    firings = await rows(app, AutomationFiring, AutomationFiring.rule_id == rule_id)
    finished = sum(1 for f in firings if f.outcome == "done")
    events = await rows(app, Event, Event.kind == "automation")
    assert await tag_count(app) == finished == len(events)
    assert all(f.outcome in (None, "done") for f in firings)
    if done is not None:
        assert finished == done


async def tag_count(app: App) -> int:
    async with create_session_factory(app.engine)() as db:
        return len(list(await db.scalars(select(ClientTag.tag))))


async def test_chunks_start_small_then_fit_the_time_a_chunk_may_take() -> None:
    pace = Pace()
    chunks = Chunks(pace, first=200, least=20, most=2000, quiet=0.25, busy=0.02)
    assert chunks.size() == 200  # nothing measured yet
    chunks.took(200, 0.02)  # 0.1 ms a row
    assert chunks.size() == 2000  # nobody around: up to 0.25 s, at most 2,000 rows
    async with member_meanwhile(pace):
        assert chunks.size() == 200  # a member is answered: about 20 ms
        chunks.took(200, 0.4)  # 2 ms a row
        assert chunks.size() == 20  # never fewer than 20
    assert chunks.size() == 20  # a member was here a moment ago: still small
    chunks.took(0, 0)  # an empty chunk says nothing
    assert chunks.size() == 20


async def test_a_careful_pass_after_a_skipped_firing_still_tags(app: App) -> None:
    """A batch done again carefully (one firing skipped: its rule was paused) reads the
    client's tags afresh: the undone fast pass's tag is not taken as already there."""
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me, "Tag vip", "client_created", {}, [{"type": "add_tag", "tag": "vip"}]
        )
        other = await crm.automation.add(
            me, "Other", "client_created", {}, [{"type": "add_tag", "tag": "x"}]
        )
    client = await make_client(app, OWNER_ID, "Lead")
    async with app.crm.open() as crm:
        await crm.automation.set_paused(await owner(crm), other.id, True)
    async with app.crm.open(background=True) as background:
        assert await background.automation.runner.run_due(limit=50) == (2, False)
    outcomes = {f.rule_id: f.outcome for f in await rows(app, AutomationFiring)}
    assert outcomes[other.id] == "skipped"
    async with create_session_factory(app.engine)() as db:
        tags = list(await db.scalars(select(ClientTag.tag).where(ClientTag.client_id == client.id)))
    assert tags == ["vip"]


async def test_firings_go_in_small_batches_while_members_are_about(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a member's write waits for a batch's own writes: while members are
    about (one was answered in the last couple of seconds) the batches are small. On
    PostgreSQL it waits only for the rows the batch holds: the batches stay whole."""
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm), "Tag leads", "client_created", {}, [{"type": "add_tag", "tag": "x"}]
        )
    sizes: list[int] = []
    run_due = Runner.run_due

    async def recorded(runner: Runner, limit: int = 100, more: bool = False) -> tuple[int, bool]:
        sizes.append(limit)
        return await run_due(runner, limit, more)

    monkeypatch.setattr(Runner, "run_due", recorded)
    monkeypatch.setattr("crm.pace.RECENT_SECONDS", 3600)  # "recently" however slow the machine
    for n in range(12):
        await make_client(app, OWNER_ID, f"Lead {n}")  # a member was just answered
    assert app.crm.pace.recently_busy
    async with app.crm.open(background=True) as background:
        assert await background.automation.tick() == 12
    one_writer = app.engine.dialect.name == "sqlite"
    assert sizes == ([BUSY_BATCH] * 3 if one_writer else [QUIET_BATCH])
    monkeypatch.setattr("crm.pace.RECENT_SECONDS", 0)  # nobody about any more
    for n in range(12):
        await make_client(app, OWNER_ID, f"Later lead {n}")
    assert not app.crm.pace.recently_busy
    sizes.clear()
    async with app.crm.open(background=True) as background:
        assert await background.automation.tick() == 12
    assert sizes == [QUIET_BATCH]
    assert await tag_count(app) == 24


async def test_a_ticks_batches_after_the_first_do_not_look_before_they_take_the_lock(
    app: App,
) -> None:
    """Whether anything is due is read once per tick, not before every batch: the last
    batch said whether more may be; one that finds nothing after all ends the tick."""
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm), "Tag leads", "client_created", {}, [{"type": "add_tag", "tag": "x"}]
        )
    for n in range(10):
        await make_client(app, OWNER_ID, f"Lead {n}")
    async with app.crm.open(background=True) as background:
        with statements(app) as seen:
            assert await background.automation.tick(batch=5) == 10  # 5, 5, then none
            assert await background.automation.tick(batch=5) == 0
    seen = [" ".join(statement.split()) for statement in seen]
    looks = [s for s in seen if s.startswith("SELECT automation_firings.id FROM")]
    read = "SELECT automation_firings.id, automation_firings.client_id, "  # a batch's first read
    batches = [s for s in seen if s.startswith(read)]
    assert (len(looks), len(batches)) == (2, 3)  # one look per tick; the 2nd finds nothing
    assert await tag_count(app) == 10
