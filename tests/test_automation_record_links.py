"""A rule on the team's own record type (suppliers, products…) makes a task about the record
that fired it, and its message names the record: the task keeps the record (its reminder and
screen name it and open its card, it goes when the record is deleted), and the message says
which record, with a button to its card (through the outbox, the sender and the Dispatcher)."""

from __future__ import annotations

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.models import Task
from tests.conftest import OWNER_ID
from tests.test_automation_round_robin import actor, all_of, tick


async def test_a_records_task_and_message_name_the_record_and_open_it(
    app: App, clock: ManualClock, session: OfflineSession, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        await crm.automation.add(
            owner,
            "New suppliers",
            "record_created",
            {"type_id": suppliers.id},
            [
                {"type": "create_task", "title": "Check the papers", "assignee": "responsible"},
                {"type": "notify", "to": "owner", "text": "A new supplier"},
            ],
        )
        acme = await crm.records.create(owner, suppliers.id, "Acme")
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
