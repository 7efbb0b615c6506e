"""A rule on the team's own record type (suppliers, products…) makes a task about the record
that fired it, and its message names the record: the task keeps the record (its reminder and
screen name it and open its card, it goes when the record is deleted), and the message says
which record, with a button to its card (through the outbox, the sender and the Dispatcher)."""

from __future__ import annotations

import csv
import io
from typing import Any

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.records.callbacks import Ent, EntCb
from handlers.tasks.callbacks import TaskAction, TaskCb
from storage.models import Record, Task
from tests.conftest import OWNER_ID
from tests.test_automation_round_robin import actor, all_of, tick

CHECK = {"type": "create_task", "title": "Check the papers", "assignee": "responsible"}


async def supplier_by_rule(app: App, actions: list[dict[str, Any]]) -> Record:
    """A rule doing ``actions`` on each new supplier, and the supplier Acme (not yet fired)."""
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        await crm.automation.add(
            owner, "New suppliers", "record_created", {"type_id": suppliers.id}, actions
        )
        return await crm.records.create(owner, suppliers.id, "Acme")


async def test_a_records_task_and_message_name_the_record_and_open_it(
    app: App, clock: ManualClock, session: OfflineSession, owner_en: SimulatedUser
) -> None:
    notify = {"type": "notify", "to": "owner", "text": "A new supplier"}
    acme = await supplier_by_rule(app, [CHECK, notify])
    assert await tick(app) == 1
    [task] = await all_of(app, Task)
    assert (task.title, task.record_id, task.client_id) == ("Check the papers", acme.id, None)

    session.clear()
    await app.sender.drain_once()
    [notice] = [m for m in owner_en.chat_messages() if "New suppliers" in (m.text or "")]
    assert notice.text == "🤖 «New suppliers»: A new supplier\n🏭 Acme"
    [card] = await owner_en.press("📂 Open card", notice)
    assert "Acme" in (card.text or "") and "Supplier" in (card.text or "")

    await app.ticker.tick()  # the task falls due: its reminder
    await app.sender.drain_once()
    [reminder] = [m for m in owner_en.chat_messages() if (m.text or "").startswith("⏰ Due now")]
    assert "🏭 Acme" in (reminder.text or "")
    [card] = await owner_en.press("📂 Open card", reminder)
    assert "Acme" in (card.text or "")

    async with app.crm.open() as crm:
        await crm.records.delete(await actor(crm, OWNER_ID), acme.id)
    assert await all_of(app, Task) == []  # gone with its record, as a client's tasks go


async def test_untying_a_records_task_says_so_on_the_records_history(
    app: App, owner_en: SimulatedUser
) -> None:
    acme = await supplier_by_rule(app, [CHECK])
    await tick(app)
    [task] = await all_of(app, Task)
    [screen] = await owner_en.press_data(TaskCb(action=TaskAction.OPEN, task_id=task.id).pack())
    [question] = await owner_en.press("📎 Client or deal", screen)
    [reply] = await owner_en.press("✂️ Untie it", question)
    assert "🏭 Acme" not in (reply.text or "")
    [task] = await all_of(app, Task)
    assert (task.record_id, task.client_id, task.deal_id) == (None, None, None)
    record_card = EntCb(action=Ent.RECORD, kind="record", card=acme.id).pack()
    [card] = await owner_en.press_data(record_card)
    assert "✂️ task taken off the card: Check the papers" in (card.text or "")
    assert "task_" not in (card.text or "")  # a task's events read as words, not codes


async def test_the_tasks_export_names_a_tasks_record(app: App, owner_en: SimulatedUser) -> None:
    await supplier_by_rule(app, [CHECK])
    await tick(app)
    await owner_en.send("/export")
    [sent] = await owner_en.press("Tasks · CSV")
    assert sent.data is not None
    header, row = csv.reader(io.StringIO(sent.data.decode("utf-8-sig")))  # English: commas
    assert dict(zip(header, row, strict=True))["Record"] == "Supplier: Acme"


async def test_deleting_a_record_says_its_open_tasks_go_with_it(
    app: App, owner_en: SimulatedUser
) -> None:
    acme = await supplier_by_rule(app, [CHECK])
    await tick(app)
    ask = EntCb(action=Ent.DELETE, kind="record", card=acme.id).pack()
    [question] = await owner_en.press_data(ask)
    assert question.text == (
        "Delete “Acme” with its fields, links and its 1 open task? This cannot be undone."
    )
