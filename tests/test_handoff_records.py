"""Deactivating a member hands over their records too, and a task they held on a card the
successor does not see goes to that card's manager instead (crm.handoff_tasks).

The records (custom types, with a manager) stayed with the leaver, so an automation's task
on one went to the successor, who could not open the record; and a task the leaver held on
another manager's client moved to the successor unchecked, on a card they do not see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.team.callbacks import HandOverCb
from storage.engine import create_session_factory
from storage.models import Record, Task
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_handoff_flow import told

MILA, MARK, OLEG = 5911, 5912, 5913


@dataclass(frozen=True)
class Team:
    """Mila, Mark and Oleg, managers; Mila holds a task on Oleg's client, whose card she
    does not see (it was free when the task was given)."""

    mark: SimulatedUser
    oleg: SimulatedUser
    task: Task
    due: datetime


async def team_with_a_task_on_olegs_client(app: App, join: Joiner) -> Team:
    await join(MILA, "manager", "Mila", language_code="en")
    mark = await join(MARK, "manager", "Mark", language_code="en")
    oleg = await join(OLEG, "manager", "Oleg", language_code="en")
    olegs = await make_client(app, OWNER_ID, "Oleg's client")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        await crm.client_edits.set_manager(owner, olegs.id, None)  # free: Mila's task on it
        due = crm.clock.now() + timedelta(days=1)
        task = await crm.tasks.create(
            owner, "call Oleg's client", due, client_id=olegs.id, assignee_id=MILA
        )
        await crm.client_edits.set_manager(owner, olegs.id, OLEG)
    return Team(mark, oleg, task, due)


async def test_records_and_unseen_tasks_on_a_hand_over(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    given = await team_with_a_task_on_olegs_client(app, join)
    mark, oleg, due = given.mark, given.oleg, given.due
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        acme = await crm.records.create(owner, suppliers.id, "Acme")
        await crm.records.set_manager(owner, acme.id, MILA)
    async with create_session_factory(app.engine)() as db:  # an automation's task on it
        on_record = Task(
            title="check Acme",
            due_at=due,
            assignee_id=MILA,
            record_id=acme.id,
            created_at=due - timedelta(days=1),
        )
        db.add(on_record)
        await db.commit()
    await app.sender.drain_once()
    for someone in (mark, oleg):
        await told(app, someone)

    [team] = await owner_en.send("/team")
    await owner_en.press("Mila", team)
    [question] = await owner_en.press("Deactivate")
    assert "clients: 0, deals: 0, records: 1, open tasks: 2." in question.text
    await owner_en.press_data(HandOverCb(member_id=MILA, to=MARK).pack(), question)
    assert owner_en.alert == (
        "Deactivated. Handed over: clients 0, deals 0, records 1, open tasks 1. Open tasks "
        "on cards the successor does not see went to those cards' managers (or to you): 1."
    )
    async with create_session_factory(app.engine)() as db:
        assert await db.scalar(select(Record.manager_id).where(Record.id == acme.id)) == MARK
        rows = await db.execute(select(Task.id, Task.assignee_id))
        tasks = {task_id: assignee for task_id, assignee in rows}
    assert tasks == {on_record.id: MARK, given.task.id: OLEG}
    before = {user: len(user.chat_messages()) for user in (mark, oleg)}
    await app.sender.drain_once()
    news = {user: [m.text for m in user.chat_messages()[n:]] for user, n in before.items()}
    assert news == {
        mark: ["Handed over to you: clients 0, deals 0, records 1, open tasks 1."],
        oleg: ["Handed over to you: clients 0, deals 0, records 0, open tasks 1."],
    }
    async with app.crm.open() as crm:  # Mark opens the record his task names
        found = await crm.records.visible(await member(app, MARK), acme.id)
    assert found.manager_id == MARK


async def test_a_successor_given_nothing_is_not_told(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """All the leaver held went to another card's manager: the successor got nothing and is
    told nothing (he was told "clients 0, deals 0, records 0, open tasks 0")."""
    given = await team_with_a_task_on_olegs_client(app, join)
    mark, oleg = given.mark, given.oleg
    await app.sender.drain_once()
    for someone in (mark, oleg):
        await told(app, someone)
    before = {user: len(user.chat_messages()) for user in (mark, oleg)}
    await owner_en.press_data(HandOverCb(member_id=MILA, to=MARK).pack())
    await app.sender.drain_once()
    news = {user: [m.text for m in user.chat_messages()[n:]] for user, n in before.items()}
    assert news == {
        mark: [],
        oleg: ["Handed over to you: clients 0, deals 0, records 0, open tasks 1."],
    }
