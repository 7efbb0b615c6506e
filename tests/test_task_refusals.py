"""Forged task buttons: an id out of range is a task that no longer exists, never a crash."""

from __future__ import annotations

import pytest

from bot.simulator import SimulatedUser
from handlers.tasks.callbacks import NewTaskCb, TaskAction, TaskCb, TasksAction, TasksCb
from tests.conftest import OWNER_ID

GONE = "This record no longer exists."
FORGED = (str(2**31), str(2**63), str(2**64 + 1), "-7")


@pytest.mark.parametrize("action", list(TaskAction))
async def test_a_forged_task_id_is_gone(owner_en: SimulatedUser, action: TaskAction) -> None:
    data = TaskCb(action=action, task_id=1, number=OWNER_ID, choice="15m").pack()
    for fake in FORGED:
        assert await owner_en.press_data(data.replace(":1:", f":{fake}:", 1)) == []
        assert owner_en.alert == GONE, (action, fake)


async def test_forged_ids_in_the_list_and_the_card_buttons(owner_en: SimulatedUser) -> None:
    done = TasksCb(action=TasksAction.DONE, who=OWNER_ID, task_id=1).pack()
    start = NewTaskCb(client_id=1).pack()
    for fake in FORGED:
        assert done.endswith(":1")
        await owner_en.press_data(done[:-1] + fake)
        assert owner_en.alert == GONE, fake
        await owner_en.press_data(start.replace("tn:1:", f"tn:{fake}:", 1))
        assert owner_en.alert == GONE, fake
