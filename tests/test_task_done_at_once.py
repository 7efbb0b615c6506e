"""A repeating task two members mark done at the same moment repeats once.

On PostgreSQL with several instances, both read the task as open; each then set it
done and added its next occurrence, so the task came back twice. The other member is
played by a second connection that has marked it done and not committed yet; on
SQLite the press simply waits for the write lock.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import update

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.tasks.callbacks import TaskAction, TaskCb
from storage.models import Task
from tests.conftest import OWNER_ID
from tests.test_tasks_flow import all_tasks, make_task, moscow


async def test_the_second_to_mark_a_repeating_task_done_hears_it_was_done(
    app: App, owner_en: SimulatedUser
) -> None:
    task = await make_task(app, OWNER_ID, "Call the bank", moscow(3, 10), repeat="daily")
    async with app.engine.connect() as other:
        marked = update(Task).where(Task.id == task.id).values(done_at=datetime.now(UTC))
        await other.execute(marked)
        done = TaskCb(action=TaskAction.DONE, task_id=task.id).pack()
        pressing = asyncio.create_task(owner_en.press_data(done))
        await asyncio.sleep(0.2)
        assert not pressing.done()  # it waits for the other member's transaction
        await other.commit()
    await pressing
    assert owner_en.alert == "Already done."
    assert [t.id for t in await all_tasks(app)] == [task.id]  # no second next occurrence
