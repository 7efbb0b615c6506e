"""A rule's task goes only to a member who sees its card: one named as the assignee who does
not see the client (a deal's client) or the record is not given it; the action is skipped
with the reason, on the firing, its 🤖 timeline line and the rule's screen (through the
Dispatcher), as round-robin passes over such a member and a deal is refused them by hand."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.simulator import SimulatedUser
from storage.models import AutomationFiring, Event, Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_automation_round_robin import actor, all_of, contact, new_deal, tick
from tests.test_automation_rule_screen import rule_screen

MILA, OLEG = 5301, 5302
SKIPPED = {"type": "create_task", "skipped": "assignee cannot see the card"}


def for_oleg(title: str) -> dict[str, Any]:
    return {"type": "create_task", "title": title, "due_minutes": 60, "assignee": OLEG}


async def test_a_deals_task_is_not_given_to_a_member_who_cannot_see_its_client(
    app: App, join: Joiner, owner_en: SimulatedUser
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    await join(OLEG, "manager", "Oleg", language_code="en")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.automation.add(
            owner,
            "Follow up",
            "deal_entered_stage",
            {"stage_id": await contact(crm)},
            [for_oleg("Call about {deal.title}"), {"type": "add_tag", "tag": "hot"}],
        )
    milas = await make_client(app, OWNER_ID, "Mila's Client")
    async with app.crm.open() as crm:
        await crm.client_edits.set_manager(await actor(crm, OWNER_ID), milas.id, MILA)
    deal = await new_deal(app, milas.id, "Big order")
    assert await tick(app) == 1
    assert await all_of(app, Task) == []
    [firing] = [f for f in await all_of(app, AutomationFiring) if f.deal_id == deal.id]
    assert firing.outcome == "done" and firing.detail[0] == SKIPPED
    [line] = [e for e in await all_of(app, Event) if e.kind == "automation"]
    assert line.data["done"][0] == SKIPPED
    text = await rule_screen(owner_en, "Follow up")
    assert "⚠️ Last time it could not create a task: the member does not see the card" in text

    # Once managers see every client, Oleg may open it: the task is his.
    async with app.crm.open() as crm:
        await crm.settings.set_managers_see_all(await actor(crm, OWNER_ID), True)
    await new_deal(app, milas.id, "Second order")
    await tick(app)
    assert [(t.title, t.assignee_id) for t in await all_of(app, Task)] == [
        ("Call about Second order", OLEG)
    ]


async def test_a_records_task_is_not_given_to_a_member_who_cannot_see_the_record(
    app: App, join: Joiner
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    await join(OLEG, "manager", "Oleg", language_code="en")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        await crm.automation.add(
            owner, "Check", "record_created", {"type_id": suppliers.id}, [for_oleg("Check")]
        )
        acme = await crm.records.create(owner, suppliers.id, "Acme")
        await crm.records.set_manager(owner, acme.id, MILA)
        free = await crm.records.create(owner, suppliers.id, "Free")
        await crm.records.set_manager(owner, free.id, None)
    await tick(app)
    assert [t.assignee_id for t in await all_of(app, Task)] == [OLEG]  # the free one's
    outcomes = {f.record_id: (f.outcome, f.detail) for f in await all_of(app, AutomationFiring)}
    assert outcomes[acme.id] == ("skipped", [SKIPPED])


async def test_a_task_for_the_responsible_who_cannot_see_goes_to_the_next_who_can(
    app: App, join: Joiner
) -> None:
    """The deal is Oleg's, its client moved to Mila since: the responsible does not see the
    card, so the task goes down the line to the rule's author (an owner), not skipped."""
    await join(MILA, "manager", "Mila", language_code="en")
    await join(OLEG, "manager", "Oleg", language_code="en")
    client = await make_client(app, OWNER_ID, "Shared Client")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, client.id, None)  # free: Oleg sees it
        deal = await crm.deals.create(owner, client.id, 500, title="Order")
        await crm.deals.set_manager(owner, deal.id, OLEG)
        await crm.client_edits.set_manager(owner, client.id, MILA)
        await crm.automation.add(
            owner,
            "Follow up",
            "deal_entered_stage",
            {"stage_id": await contact(crm)},
            [{"type": "create_task", "title": "Call", "due_minutes": 60}],
        )
        await crm.deals.move(owner, deal.id, await contact(crm))
    await tick(app)
    assert [(t.title, t.assignee_id) for t in await all_of(app, Task)] == [("Call", OWNER_ID)]
    [firing] = await all_of(app, AutomationFiring)
    assert firing.outcome == "done" and firing.detail[0]["type"] == "create_task"
