"""A manager's task on a card given to another manager since stays his, but its screens no
longer name the card: /tasks, the task's screen, its reminder and the reminder after Done
leave out the client (and its phone), the deal and the record, and the button to open them,
as the tasks export does (tests/test_exports_task_cards.py). The owner sees them all."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.tasks.callbacks import TaskAction, TaskCb
from storage.models import Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_automation_round_robin import actor, all_of, tick
from tests.test_task_reminder_buttons import last_task_message, tick_to
from tests.test_tasks_flow import instant_delivery, moscow

MARK = 7331
HIDDEN = ("Shared Client", "Big order", "Acme", "+7 999 123-45-67", "Open")


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    instant_delivery(app)


def labels(message: SentMessage) -> list[str]:
    return [text for text, _data, _url in message.buttons]


def shows_none_of_the_card(message: SentMessage) -> None:
    for hidden in HIDDEN:
        assert hidden not in message.text
        assert not [label for label in labels(message) if hidden in label]


async def test_a_managers_task_leaves_out_the_card_he_no_longer_sees(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    mark = await join(MARK, "manager", "Mark", language_code="en")
    shared = await make_client(app, OWNER_ID, "Shared Client", phones=("+79991234567",))
    own = await make_client(app, MARK, "Mark's Client")
    async with app.crm.open() as crm:
        owner, me = await actor(crm, OWNER_ID), await actor(crm, MARK)
        await crm.client_edits.set_manager(owner, shared.id, None)  # free: Mark sees it
        deal = await crm.deals.create(owner, shared.id, 500, title="Big order")
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        check = {
            "type": "create_task",
            "title": "Check the supplier",
            "due_minutes": 60,
            "assignee": MARK,
        }
        when = {"type_id": suppliers.id}
        await crm.automation.add(owner, "Check", "record_created", when, [check])
        acme = await crm.records.create(owner, suppliers.id, "Acme")  # due in an hour: 13:00
        await crm.records.set_manager(owner, acme.id, None)
        await crm.tasks.create(me, "Call the client", moscow(3, 10), client_id=shared.id)
        await crm.tasks.create(me, "Send the offer", moscow(3, 11), deal_id=deal.id)
        await crm.tasks.create(me, "Call my client", moscow(3, 13), client_id=own.id)
    await tick(app)
    ids = {task.title: task.id for task in await all_of(app, Task)}
    [before] = await mark.send("/tasks")
    assert "Shared Client" in before.text and "👤 Shared Client" in labels(before)
    # The owner takes the client (and so its deal) and the record: the tasks stay Mark's.
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, shared.id, OWNER_ID)
        await crm.records.set_manager(owner, acme.id, OWNER_ID)

    [listed] = await mark.send("/tasks")
    for title in ids:
        assert title in listed.text
    assert "— 👤 Mark's Client" in listed.text and "👤 Mark's Client" in labels(listed)
    shows_none_of_the_card(listed)

    for title in ("Call the client", "Send the offer", "Check the supplier"):
        [screen] = await mark.press_data(TaskCb(action=TaskAction.OPEN, task_id=ids[title]).pack())
        assert screen.text.startswith("📌 Task\n🔹 " + title + "\n🕒 ")
        assert "🙋 Mark" in screen.text and "✏️ Text" in labels(screen)
        shows_none_of_the_card(screen)
    [own_screen] = await mark.press_data(
        TaskCb(action=TaskAction.OPEN, task_id=ids["Call my client"]).pack()
    )
    assert "👤 Mark's Client" in own_screen.text and "👤 Open card" in labels(own_screen)

    # Their reminders: the task and no card; done, nothing to open.
    for day, hour, title in (
        (2, 13, "Check the supplier"),
        (3, 10, "Call the client"),
        (3, 11, "Send the offer"),
    ):
        [text] = await tick_to(app, mark, clock, moscow(day, hour))
        assert text.splitlines() == [f"⏰ Due now (0{day}.03.2026 {hour}:00):", f"🔹 {title}"]
        reminder = last_task_message(mark)
        assert labels(reminder) == ["✅ Done", "+15 min", "+1 hour", "Tomorrow"]
        [done] = await mark.press("✅ Done", reminder)
        assert done.text.splitlines() == ["✅ Done", f"🔹 {title}"]
        assert done.buttons == []
    [text] = await tick_to(app, mark, clock, moscow(3, 13))
    assert text.splitlines()[1:] == ["🔹 Call my client", "👤 Mark's Client"]
    assert labels(last_task_message(mark))[-1] == "👤 Open card"

    # The owner sees the cards of Mark's tasks.
    [screen] = await owner_en.press_data(
        TaskCb(action=TaskAction.OPEN, task_id=ids["Send the offer"]).pack()
    )
    assert "👤 Shared Client\n💼 Big order\n📞 +7 999 123-45-67" in screen.text
    assert "💼 Open deal" in labels(screen)
    [screen] = await owner_en.press_data(
        TaskCb(action=TaskAction.OPEN, task_id=ids["Check the supplier"]).pack()
    )
    assert "🏭 Acme" in screen.text and "📂 Open card" in labels(screen)
