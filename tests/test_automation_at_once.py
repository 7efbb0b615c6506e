"""A rule acting on a deal a member is changing at that moment: the two take turns.

A member's write to a deal locks its client and the deal (crm.row_locks.deal_locked); a
rule's actions, done by the clock in batches, wrote the deal without those locks. On
PostgreSQL the batch read the deal before the member's change was committed and wrote
over it: a deal the member had just won went to the rule's open stage still closed, its
timeline saying it came from the stage it had left. And a member deleting a deal, who
holds the deal and then deletes its firings, deadlocked with a batch that held the
firing and waited for the deal; the owner deleting a rule, which holds the rule and then
deletes its firings, deadlocked with a batch that held a firing and then counted it on
its rule. The member is played by a second connection that has
locked the client and the deal (as the member's write does first) and changed the deal
without committing; on SQLite the batch simply waits for the write lock.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, select, text, update

from bot.app import App
from crm.automation import batch_reads, runner
from crm.clock import ManualClock
from crm.errors import Conflict, ErrorCode
from storage.models import AutomationFiring, AutomationRule, Client, Deal, Event
from tests.at_once import lock, once_other_commits
from tests.test_automation_core import move, new_deal, owner, rows, stage, tick

LOCK_WAITS = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def deal_with_a_due_move(app: App) -> Deal:
    """A deal just put on "contact", and the rule's firing due to move it on to "meeting"."""
    contact, meeting = await stage(app, "contact"), await stage(app, "meeting")
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm), "Meet", "deal_entered_stage", {"stage_id": contact},
            [{"type": "move_stage", "stage_id": meeting}],
        )  # fmt: skip
    deal_id = await new_deal(app, "Acme")
    await move(app, deal_id, "contact")
    [firing] = await rows(app, AutomationFiring)
    assert (firing.deal_id, firing.done_at) == (deal_id, None)
    [deal] = await rows(app, Deal, Deal.id == deal_id)
    return deal


async def test_a_rule_moving_a_deal_a_member_is_winning_moves_it_from_won(
    app: App, clock: ManualClock
) -> None:
    deal = await deal_with_a_due_move(app)
    won, meeting = await stage(app, "won"), await stage(app, "meeting")
    async with app.engine.connect() as member:  # the member's move to won, not committed
        await member.execute(lock(Client, deal.client_id))
        await member.execute(lock(Deal, deal.id))
        winning = update(Deal).where(Deal.id == deal.id)
        await member.execute(winning.values(stage_id=won, closed_at=clock.now()))
        assert await once_other_commits(member, tick(app)) == 1
    [found] = await rows(app, Deal, Deal.id == deal.id)
    assert (found.stage_id, found.closed_at) == (meeting, None)  # open again, as it says
    timeline = await rows(app, Event, Event.deal_id == deal.id)
    [moved] = [e for e in timeline if e.kind != "automation" and "rule_id" in (e.data or {})]
    assert moved.kind == "deal_reopened"
    assert (moved.data["from"], moved.data["to"]) == (won, meeting)


async def test_a_member_deleting_a_deal_a_rule_is_about_to_move_deletes_it(app: App) -> None:
    if app.engine.dialect.name == "sqlite":
        pytest.skip("writers take turns on SQLite: the batch waits for the write lock")
    deal = await deal_with_a_due_move(app)
    async with app.engine.connect() as member:  # deleting the deal: its client and it first
        await member.execute(lock(Client, deal.client_id))
        await member.execute(lock(Deal, deal.id))
        working = asyncio.create_task(tick(app))
        await asyncio.sleep(0.2)
        assert not working.done()  # it waits for the member's transaction
        # The member waits for nothing the batch holds (it waited for the firing the batch
        # held, until PostgreSQL found the deadlock and undid one of them, a second later).
        await member.execute(text("SET LOCAL lock_timeout = '500ms'"))
        await member.execute(update(Event).where(Event.deal_id == deal.id).values(deal_id=None))
        await member.execute(delete(Deal).where(Deal.id == deal.id))  # and its firing with it
        await member.commit()
    assert await working == 0
    async with app.engine.connect() as db:
        assert await db.scalar(select(Deal.id).where(Deal.id == deal.id)) is None
    assert await rows(app, AutomationFiring) == []


async def test_a_deal_that_keeps_changing_clients_leaves_the_batch_for_the_next_tick(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``deals_locked`` gives up on a deal moved to other clients ``MOVES`` times in a row
    (``DEAL_MOVING``): the tick goes on, the batch rolled back, the firing due later."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("no card locks on SQLite: the batch holds the write lock")
    deal = await deal_with_a_due_move(app)
    moving = Conflict(ErrorCode.DEAL_MOVING)

    async def keeps_moving(*_args: object) -> None:
        raise moving

    monkeypatch.setattr(batch_reads, "deals_locked", keeps_moving)
    assert await tick(app) == 0  # no exception out of the tick
    [firing] = await rows(app, AutomationFiring)
    assert firing.done_at is None
    monkeypatch.undo()
    assert await tick(app) == 1
    [found] = await rows(app, Deal, Deal.id == deal.id)
    assert found.stage_id == await stage(app, "meeting")


async def test_deleting_a_rule_while_a_batch_does_its_firing_deadlocks_neither(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch has taken the rule's due firing when the owner deletes the rule: the
    deletion waits for the batch (which then counts the firing on its rule), and then
    deletes the rule and its firings. Before, the deletion held the rule and waited for
    the firing while the batch held the firing and waited for the rule, until PostgreSQL
    undid one of them as a deadlock."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("writers take turns on SQLite: no row locks")
    deal = await deal_with_a_due_move(app)
    [rule] = await rows(app, AutomationRule)
    holding = asyncio.Event()
    real_read_batch = runner.read_batch

    async def read_batch(*args: object, **kwargs: object) -> object:
        holding.set()  # the batch's firings are locked (and what it locks before them)
        async with app.engine.connect() as watcher:  # until the deletion waits for a lock
            for _ in range(100):
                if await watcher.scalar(text(LOCK_WAITS)):
                    break
                await watcher.rollback()
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the deletion waited for nothing the batch holds")
        return await real_read_batch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "read_batch", read_batch)

    async def delete_rule() -> None:
        await holding.wait()
        async with app.crm.open() as crm:
            await crm.automation.delete(await owner(crm), rule.id)

    done, deleted = await asyncio.gather(tick(app), delete_rule(), return_exceptions=True)
    assert done == 1 and deleted is None, (done, deleted)
    # The firing was done before the rule went, and went with it.
    [found] = await rows(app, Deal, Deal.id == deal.id)
    assert found.stage_id == await stage(app, "meeting")
    assert await rows(app, AutomationRule) == []
    assert await rows(app, AutomationFiring) == []
