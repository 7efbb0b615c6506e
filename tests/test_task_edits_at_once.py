"""A task one member moves, snoozes, gives to someone or cancels while another marks it
done is refused as done, not changed.

On PostgreSQL with several instances, the second member read the task as open before
the first's "done" was committed, then wrote over the done task: moved or snoozed, it
reminded again; given away, its new assignee was told of a task already done;
cancelled, it was deleted with its "done". The other member is played by a second
connection that has marked it done and not committed yet; on SQLite the second member
simply waits for the write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.tasks.callbacks import Snooze, TaskAction, TaskCb
from storage.models import Task
from tests.at_once import once_other_commits
from tests.conftest import OWNER_ID, Joiner
from tests.test_tasks_flow import MANAGER_ID, all_tasks, make_task, moscow, task_events


async def while_another_marks_done(
    app: App, task_id: int, work: Callable[[], Coroutine[Any, Any, object]]
) -> None:
    """``work`` while another connection has marked the task done and not committed."""
    async with app.engine.connect() as other:
        marked = update(Task).where(Task.id == task_id).values(done_at=datetime.now(UTC))
        await other.execute(marked)
        await once_other_commits(other, work())


async def assert_left_done(app: App, task: Task) -> None:
    [after] = await all_tasks(app)
    assert after.done_at is not None
    assert (after.due_at, after.remind_at, after.reminded_at) == (
        task.due_at,
        task.remind_at,
        task.reminded_at,
    )
    assert (after.assignee_id, after.priority) == (task.assignee_id, task.priority)
    assert await task_events(app, task.id) == ["task_created"]  # nothing written after "done"


PRESSES = {
    "snooze": TaskCb(action=TaskAction.SNOOZE, task_id=0, choice=Snooze.HOUR),
    "assign": TaskCb(action=TaskAction.ASSIGN, task_id=0, number=MANAGER_ID),
    "priority": TaskCb(action=TaskAction.PRIO, task_id=0, choice="high"),
    "cancel": TaskCb(action=TaskAction.CANCEL_YES, task_id=0),
}


@pytest.mark.parametrize("press", list(PRESSES))
async def test_a_press_on_a_task_another_is_marking_done_hears_it_is_done(
    app: App, owner_en: SimulatedUser, join: Joiner, press: str
) -> None:
    manager = await join(MANAGER_ID, "manager", "Maria", language_code="en")
    task = await make_task(app, OWNER_ID, "Call the bank", moscow(3, 10))
    data = PRESSES[press].model_copy(update={"task_id": task.id}).pack()
    await while_another_marks_done(app, task.id, lambda: owner_en.press_data(data))
    assert owner_en.alert == "Already done."
    await assert_left_done(app, task)
    await app.ticker.tick()
    assert not [m for m in manager.chat_messages() if m.text.startswith("📌")]  # not told


async def test_a_new_time_for_a_task_another_is_marking_done_hears_it_is_done(
    app: App, owner_en: SimulatedUser
) -> None:
    task = await make_task(app, OWNER_ID, "Call the bank", moscow(3, 10))
    await owner_en.press_data(TaskCb(action=TaskAction.TIME, task_id=task.id).pack())
    replies: list[str] = []

    async def typed() -> None:
        replies.extend(sent.text for sent in await owner_en.send("wednesday 18:00"))

    await while_another_marks_done(app, task.id, typed)
    assert replies == ["Already done."]
    await assert_left_done(app, task)
    [reply] = await owner_en.send("thursday 18:00")  # the question has ended
    assert not reply.text.startswith("✅")
