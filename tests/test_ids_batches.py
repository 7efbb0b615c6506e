"""Rows written in batches with ids given beforehand (an import, website leads, automation's
tasks) never take the id of a deleted card: an old message's buttons name that id."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from crm.clock import ManualClock
from crm.imports.mapping import propose
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from storage.models import Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID
from tests.test_automation_core import owner, rows, starter, tick


async def test_an_import_after_the_newest_client_was_deleted_gives_new_ids(app: App) -> None:
    gone = await make_client(app, OWNER_ID, "Удалённый")
    async with app.crm.open() as crm:
        await crm.client_edits.delete(await owner(crm), gone.id)
    table = read_table("ФИО;Тел.\r\nНовый;+79990000001\r\n".encode(), "x.csv")
    async with app.crm.open() as crm:
        me = await owner(crm)
        result = await crm.imports.run(me, table, propose(table.headers), "x.csv", Policy.SKIP)
        assert result.created == 1
        [found] = await crm.client_queries.search(me, "Новый")
    assert found.id > gone.id


async def test_automation_tasks_after_the_newest_task_was_deleted_get_new_ids(
    app: App, clock: ManualClock
) -> None:
    await starter(app, "call_new")
    first = await make_client(app, OWNER_ID, "Первый")
    clock.advance(timedelta(minutes=1))
    assert await tick(app) == 1
    [gone] = await rows(app, Task)
    async with app.crm.open() as crm:
        await crm.client_edits.delete(await owner(crm), first.id)  # its task goes with it
    assert await rows(app, Task) == []
    await make_client(app, OWNER_ID, "Второй")
    clock.advance(timedelta(minutes=1))
    assert await tick(app) == 1
    [task] = await rows(app, Task)
    assert task.id > gone.id
