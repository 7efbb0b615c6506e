"""Issue 10, item 15 (crm side): deactivating a member hands their clients, deals and open
tasks to another in one call, and the heir is told; a client's delete preview counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import insert, select, text, update

from bot.app import App
from bot.offline import OfflineSession
from crm import handoff
from crm.errors import Conflict, InvalidInput, NotAllowed
from crm.handoff import Counts
from crm.service import Crm
from storage.models import Event, Task, User
from tests.at_once import once_other_commits
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MILA, MARK = 5501, 5502


async def actor(crm: Crm, user_id: int) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def test_deactivating_hands_everything_over(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    await join(MARK, "manager", "Mark", language_code="en")
    first = await make_client(app, MILA, "First")
    await make_client(app, MILA, "Second")
    async with app.crm.open() as crm:
        owner, mila = await actor(crm, OWNER_ID), await actor(crm, MILA)
        deal = await crm.deals.create(mila, first.id, 100)
        due = crm.clock.now() + timedelta(days=1)
        open_task = await crm.tasks.create(mila, "call", due, client_id=first.id)
        done = await crm.tasks.create(mila, "done one", due)
        await crm.tasks.done(mila, done.id)
        preview = await crm.handoff.client_deletion_preview(owner, first.id)
        assert preview == Counts(clients=1, deals=1, tasks=1)
        with pytest.raises(NotAllowed):  # only the owner deletes clients
            await crm.handoff.client_deletion_preview(mila, first.id)
        with pytest.raises(NotAllowed):
            await crm.handoff.deactivate(mila, MARK, None)
        with pytest.raises(InvalidInput):
            await crm.handoff.deactivate(owner, MILA, MILA)
    await app.sender.drain_once()
    session.clear()
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        counts = await crm.handoff.deactivate(owner, MILA, MARK)
        assert (counts.clients, counts.deals, counts.tasks) == (2, 1, 1)
        assert await crm.members.get_active(MILA) is None
        mark = await actor(crm, MARK)
        assert (await crm.clients.visible(mark, first.id)).manager_id == MARK
        assert (await crm.deals.visible(mark, deal.id)).manager_id == MARK
        assert (await crm.tasks.visible(mark, open_task.id)).assignee_id == MARK
        with pytest.raises(Conflict):
            await crm.handoff.deactivate(owner, MILA, MARK)
    await app.sender.drain_once()
    told = [str(r.text) for r in session.requests if isinstance(r, SendMessage)]
    assert "Handed over to you: clients 2, deals 1, records 0, open tasks 1." in told


async def test_a_hand_over_waits_for_a_change_to_the_heir_and_sees_it(
    app: App, join: Joiner
) -> None:
    """The heir is locked with the member: an admin deactivating the heir meanwhile (who
    holds the heir's row) is waited for, and the hand-over is then refused instead of
    giving the work to a member who is no longer active."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("writers take turns on SQLite: the hand-over waits for the write lock")
    await join(MILA, "manager", "Mila", language_code="en")
    await join(MARK, "manager", "Mark", language_code="en")
    await make_client(app, MILA, "First")
    async with app.engine.connect() as other:  # another admin deactivating Mark
        await other.execute(select(User.id).where(User.id == MARK).with_for_update())
        await other.execute(update(User).where(User.id == MARK).values(active=False))

        async def hand_over() -> None:
            async with app.crm.open() as crm:
                await crm.handoff.deactivate(await actor(crm, OWNER_ID), MILA, MARK)

        with pytest.raises(InvalidInput):
            await once_other_commits(other, hand_over())
    async with app.crm.open() as crm:
        assert await crm.members.get_active(MILA) is not None  # nothing half-done


async def test_a_hand_over_holds_up_no_row_written_about_a_task_it_moves(
    app: App, join: Joiner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a hand-over is under way, a row naming one of the leaver's tasks (an event on
    its timeline; a rule's firing alike) is written at once. The hand-over
    locked the tasks FOR UPDATE, which holds up every insert of a row pointing at them
    until it commits; FOR NO KEY UPDATE (crm.row_locks) does not. The insert is made from
    a second connection between the tasks' move and the hand-over's commit (a hook on
    ``hand_tasks``), waiting half a second at most for a lock."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("writers take turns on SQLite: any insert waits for the write lock")
    await join(MILA, "manager", "Mila", language_code="en")
    await join(MARK, "manager", "Mark", language_code="en")
    first = await make_client(app, MILA, "First")
    async with app.crm.open() as crm:
        mila = await actor(crm, MILA)
        task = await crm.tasks.create(mila, "call", crm.clock.now(), client_id=first.id)
        now = crm.clock.now()
    written: list[int | None] = []
    real_hand_tasks = handoff.hand_tasks

    async def hand_tasks(*args: Any) -> Any:
        moved = await real_hand_tasks(*args)
        async with app.engine.connect() as other:  # the hand-over holds its locks meanwhile
            await other.execute(text("SET LOCAL lock_timeout = '500ms'"))
            line = insert(Event).values(occurred_at=now, kind="comment", task_id=task.id, data={})
            written.append(await other.scalar(line.returning(Event.id)))
            await other.commit()
        return moved

    monkeypatch.setattr(handoff, "hand_tasks", hand_tasks)
    async with app.crm.open() as crm:
        counts = await crm.handoff.deactivate(await actor(crm, OWNER_ID), MILA, MARK)
    assert counts.tasks == 1
    [event_id] = written
    async with app.engine.connect() as db:
        assert await db.scalar(select(Event.task_id).where(Event.id == event_id)) == task.id
        assert await db.scalar(select(Task.assignee_id).where(Task.id == task.id)) == MARK
