"""A task is given by hand only to a member who sees its card, as a rule's task is
(tests/test_automation_assignee_sees.py) and a deal is (tests/test_deal_assign.py): one who
does not see the client (a deal's client) or the record is refused with the card's name and
its responsible, in the owner's language, the picker asked again and nothing written; a
task of theirs is not moved onto a card they do not see either."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.errors import Conflict
from handlers.tasks.callbacks import NewTaskCb, TaskCb
from storage.models import Event, OutboxMessage, Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_automation_round_robin import actor, all_of, tick

MARK = 7321


async def untouched(app: App, task_id: int, assignee: int) -> None:
    """The task still its ``assignee``'s: no event of it but its making, no notice queued."""
    [task] = [t for t in await all_of(app, Task) if t.id == task_id]
    assert task.assignee_id == assignee
    assert [e.kind for e in await all_of(app, Event) if e.task_id == task_id] == ["task_created"]
    assert [m for m in await all_of(app, OutboxMessage) if m.kind == "task_assigned"] == []


async def test_a_task_on_a_client_he_cannot_see_is_refused_and_asked_again(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    await join(MARK, "manager", "Mark", language_code="en")
    client = await make_client(app, OWNER_ID, "Owner's Client")
    await owner_en.press_data(NewTaskCb(client_id=client.id).pack())
    [confirmation] = await owner_en.send("tomorrow 10:00 call back")
    assert "👤 Owner's Client" in confirmation.text
    [picker] = await owner_en.press("Assignee", confirmation)
    [refused] = await owner_en.press("Mark", picker)
    assert refused.message_id == confirmation.message_id
    assert (
        "Mark cannot see the client “Owner's Client” (responsible: Olga Owner). "
        "Give the client to Mark or leave it unassigned first.\nWho should do it?"
    ) in refused.text
    names = [text for text, _d, _u in refused.buttons]
    assert "Mark" in names and "✅ Olga Owner" in names  # asked again, nothing changed
    [task] = await all_tasks_of(app)
    await untouched(app, task.id, OWNER_ID)

    # Made in the core with Mark as the assignee: refused the same way.
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        with pytest.raises(Conflict) as made:
            await crm.tasks.create(
                owner,
                "Call",
                clock.now() + timedelta(days=1),
                client_id=client.id,
                assignee_id=MARK,
            )
        assert made.value.code == "client_not_visible"
        await crm.client_edits.set_manager(owner, client.id, None)  # free: Mark sees it now
    [screen] = await owner_en.press("Mark", refused)
    assert "🙋 Mark" in screen.text and "cannot see" not in screen.text
    assert [t.assignee_id for t in await all_tasks_of(app)] == [MARK]


async def test_a_deals_task_is_refused_in_russian(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    await join(MARK, "manager", "Марк", language_code="ru")
    client = await make_client(app, OWNER_ID, "Клиент Ольги")
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await actor(crm, OWNER_ID), client.id, 500, title="Поставка")
    await owner.press_data(NewTaskCb(deal_id=deal.id).pack())
    [confirmation] = await owner.send("завтра в 10 выставить счёт")
    assert "💼 Поставка" in confirmation.text
    [picker] = await owner.press("Исполнитель", confirmation)
    [refused] = await owner.press("Марк", picker)
    assert (
        "Марк не видит клиента «Клиент Ольги» (ответственный: Ольга Владелец). Сначала "
        "передайте клиента сотруднику Марк или снимите с него ответственного."
    ) in refused.text
    assert "Марк" in [text for text, _d, _u in refused.buttons]
    [task] = await all_tasks_of(app)
    await untouched(app, task.id, OWNER_ID)


async def test_a_records_task_is_refused_with_the_records_name(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(MARK, "manager", "Mark", language_code="en")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        rule = {"type": "create_task", "title": "Check", "due_minutes": 60, "assignee": OWNER_ID}
        await crm.automation.add(
            owner, "Check", "record_created", {"type_id": suppliers.id}, [rule]
        )
        await crm.records.create(owner, suppliers.id, "Acme")
    await tick(app)
    [task] = await all_tasks_of(app)
    [picker] = await owner_en.press_data(TaskCb(action="who", task_id=task.id).pack())
    [refused] = await owner_en.press("Mark", picker)
    assert (
        "Mark cannot see the card “Acme” (responsible: Olga Owner). "
        "Give the card to Mark or leave it unassigned first."
    ) in refused.text
    [task] = await all_tasks_of(app)
    assert task.assignee_id == OWNER_ID
    assert not [e for e in await all_of(app, Event) if e.kind == "task_assigned"]


async def test_his_task_is_not_tied_to_a_client_he_cannot_see(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    await join(MARK, "manager", "Mark", language_code="en")
    free = await make_client(app, OWNER_ID, "Free Client")
    await make_client(app, OWNER_ID, "Owner's Client")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, free.id, None)
        due = clock.now() + timedelta(days=1)
        task = await crm.tasks.create(owner, "Call", due, client_id=free.id, assignee_id=MARK)
    await owner_en.press_data(TaskCb(action="link", task_id=task.id).pack())
    [found] = await owner_en.send("Owner's")
    [choices] = await owner_en.press("Owner's Client", found)
    await owner_en.press("👤 Owner's Client", choices)
    assert owner_en.alert == (
        "Mark cannot see the client “Owner's Client” (responsible: Olga Owner). "
        "Give the client to Mark or leave it unassigned first."
    )
    [task] = await all_tasks_of(app)
    assert (task.client_id, task.assignee_id) == (free.id, MARK)
    assert not [e for e in await all_of(app, Event) if e.kind == "task_changed"]


async def all_tasks_of(app: App) -> list[Task]:
    return await all_of(app, Task)
