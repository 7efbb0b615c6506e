"""A clock rule never sets itself off again through what it made, on every backend: a
"task overdue" rule that creates a task does not fire on its own task when that one is
overdue in turn (the clock scans carry the chain of the rule that made the task)."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from crm.clock import ManualClock
from storage.models import AutomationFiring, Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_automation_core import owner, rows, tick

HOUR = timedelta(hours=1)


async def test_an_overdue_rule_does_not_escalate_its_own_task_again_and_again(
    app: App, clock: ManualClock
) -> None:
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me,
            "Escalate",
            "task_overdue",
            {"hours": 1},
            [{"type": "create_task", "title": "Escalate", "due_minutes": 0}],
        )
        tell = await crm.automation.add(
            me,
            "Tell the owner",
            "task_overdue",
            {"hours": 1},
            [{"type": "notify", "to": "owner", "text": "Late"}],
        )
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        await crm.tasks.create(await owner(crm), "Call", clock.now(), client_id=client.id)
    for _ in range(5):
        clock.advance(HOUR + timedelta(minutes=1))
        await tick(app)
    titles = sorted(task.title for task in await rows(app, Task))
    assert titles == ["Call", "Escalate"]
    # Another rule still hears of the rule's task being late: the chain stops only its maker.
    tasks = {task.title: task.id for task in await rows(app, Task)}
    told = [f.task_id for f in await rows(app, AutomationFiring) if f.rule_id == tell.id]
    assert sorted(told) == sorted([tasks["Call"], tasks["Escalate"]])
