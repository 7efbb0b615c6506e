"""The tasks export names a task's client, deal or record only if the exporting member sees
it: a manager's own task on a card given to another manager since keeps its row, without
the card's name (as the clients and deals exports leave out what the reader cannot see)."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.models import Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_automation_round_robin import actor, all_of, tick
from tests.test_exports_flow import export_from

MARK = 7311


async def test_a_managers_tasks_export_leaves_out_the_cards_he_no_longer_sees(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    mark = await join(MARK, "manager", "Mark", language_code="en")
    shared = await make_client(app, OWNER_ID, "Shared Client")
    own = await make_client(app, MARK, "Mark's Client")
    due = clock.now() + timedelta(days=1)
    async with app.crm.open() as crm:
        owner, me = await actor(crm, OWNER_ID), await actor(crm, MARK)
        await crm.client_edits.set_manager(owner, shared.id, None)  # free: Mark sees it
        deal = await crm.deals.create(owner, shared.id, 500, title="Big order")
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        await crm.automation.add(
            owner,
            "Check",
            "record_created",
            {"type_id": suppliers.id},
            [
                {
                    "type": "create_task",
                    "title": "Check the supplier",
                    "due_minutes": 60,
                    "assignee": MARK,
                }
            ],
        )
        acme = await crm.records.create(owner, suppliers.id, "Acme")
        await crm.records.set_manager(owner, acme.id, None)
        await crm.tasks.create(me, "Call the client", due, client_id=shared.id)
        await crm.tasks.create(me, "Send the offer", due, deal_id=deal.id)
        await crm.tasks.create(me, "Call my client", due, client_id=own.id)
    await tick(app)
    assert sorted(t.title for t in await all_of(app, Task)) == [
        "Call my client",
        "Call the client",
        "Check the supplier",
        "Send the offer",
    ]
    # The owner takes the client (and so its deal) and the record: Mark's tasks stay his.
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, shared.id, OWNER_ID)
        await crm.records.set_manager(owner, acme.id, OWNER_ID)

    await mark.send("/tasks")
    rows = await export_from(mark, "CSV")
    assert rows[0][5:8] == ["Client", "Deal", "Record"]
    cells = {str(r[1]): tuple(r[5:8]) for r in rows[1:]}
    assert cells == {
        "Call the client": ("", "", ""),
        "Send the offer": ("", "", ""),
        "Check the supplier": ("", "", ""),
        "Call my client": ("Mark's Client", "", ""),
    }

    await owner_en.send("/tasks")
    await owner_en.press("👥 Whose tasks")
    await owner_en.press("👥 Everyone")
    rows = await export_from(owner_en, "CSV")
    cells = {str(r[1]): tuple(r[5:8]) for r in rows[1:]}
    assert cells == {
        "Call the client": ("Shared Client", "", ""),
        "Send the offer": ("Shared Client", "Big order", ""),
        "Check the supplier": ("", "", "Supplier: Acme"),
        "Call my client": ("Mark's Client", "", ""),
    }
