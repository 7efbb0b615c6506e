"""Reminders at their minute through the ticker, and Done and Snooze on them.

The clock starts on Monday 02.03.2026 at 12:00 in Moscow (09:00 UTC); it moves
only when a test moves it, and ``app.ticker.tick()`` claims what is due and
sends it through the offline Bot API.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.app import App
from bot.offline import SentMessage
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.tasks.callbacks import TaskCb
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner, UserFactory
from tests.test_tasks_flow import (
    MANAGER_ID,
    all_tasks,
    instant_delivery,
    make_task,
    moscow,
    task_events,
)


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    instant_delivery(app)


# What a task's messages begin with; the ticker also sends digests, which are not ours.
TASK_HEADINGS = ("⏰ ", "❗ ", "📌 ")


async def tick_to(app: App, user: SimulatedUser, clock: ManualClock, at: datetime) -> list[str]:
    """Move the clock, tick, and return the task messages that arrived in ``user``'s chat."""
    clock.set(at)
    before = len(user.chat_messages())
    await app.ticker.tick()
    arrived = [sent.text for sent in user.chat_messages()[before:]]
    return [text for text in arrived if text.startswith(TASK_HEADINGS)]


def last_task_message(user: SimulatedUser) -> SentMessage:
    return next(m for m in reversed(user.chat_messages()) if m.text.startswith(TASK_HEADINGS))


async def reminder_at_due(
    app: App, user: SimulatedUser, clock: ManualClock, title: str, **options: object
) -> SentMessage:
    """A task due tomorrow at 10:00 Moscow, and its reminder, arrived."""
    await make_task(app, OWNER_ID, title, moscow(3, 10), **options)
    [text] = await tick_to(app, user, clock, moscow(3, 10))
    assert title in text
    return last_task_message(user)


async def test_the_reminder_arrives_at_its_minute_and_not_before(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee", phones=("+79991234567",))
    await make_task(app, OWNER_ID, "Call Anna", moscow(3, 10), client_id=client.id)
    assert await tick_to(app, owner_en, clock, moscow(3, 9, 59)) == []
    [text] = await tick_to(app, owner_en, clock, moscow(3, 10))
    assert text.splitlines() == [
        "⏰ Due now (03.03.2026 10:00):",
        "🔹 Call Anna",
        "👤 Anna Lee",
        "📞 +7 999 123-45-67",
    ]
    buttons = [label for label, _d, _u in last_task_message(owner_en).buttons]
    assert buttons == ["✅ Done", "+15 min", "+1 hour", "Tomorrow", "👤 Open card"]
    assert await tick_to(app, owner_en, clock, moscow(3, 10, 1)) == []  # never twice


async def test_done_edits_the_reminder_and_twice_is_already_done(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    reminder = await reminder_at_due(app, owner_en, clock, "Call Ivan")
    [edited] = await owner_en.press("Done", reminder)
    assert edited.message_id == reminder.message_id
    assert edited.text.splitlines() == ["✅ Done", "🔹 Call Ivan"]
    assert edited.buttons == []
    done_data = TaskCb(action="done", task_id=(await all_tasks(app))[0].id).pack()
    assert await owner_en.press_data(done_data, reminder) == []
    assert owner_en.alert == "Already done."
    [task] = await all_tasks(app)
    assert await task_events(app, task.id) == ["task_created", "task_done"]
    # Done: no nudge an hour later.
    assert await tick_to(app, owner_en, clock, moscow(3, 11, 30)) == []


async def test_snooze_edits_the_reminder_and_reminds_again(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    reminder = await reminder_at_due(app, owner_en, clock, "Call Ivan")
    [edited] = await owner_en.press("+15 min", reminder)
    assert edited.message_id == reminder.message_id
    assert edited.text.splitlines() == ["⏰ Snoozed until 10:15", "🔹 Call Ivan"]
    assert "✅ Done" in str(edited.buttons)
    assert await tick_to(app, owner_en, clock, moscow(3, 10, 14)) == []
    [again] = await tick_to(app, owner_en, clock, moscow(3, 10, 15))
    assert again.startswith("⏰ Due now (03.03.2026 10:00):")

    second = last_task_message(owner_en)
    [edited] = await owner_en.press("+1 hour", second)
    assert edited.text.startswith("⏰ Snoozed until 11:15")
    [edited] = await owner_en.press("Tomorrow", second)
    assert edited.text.startswith("⏰ Snoozed until Wed 04.03 10:00")
    [task] = await all_tasks(app)
    assert task.remind_at == moscow(4, 10) and task.due_at == moscow(3, 10)
    # Snoozed till tomorrow: no nudge today, on the schedule before the snooze.
    assert await tick_to(app, owner_en, clock, moscow(3, 11)) == []
    assert await tick_to(app, owner_en, clock, moscow(3, 23)) == []
    [text] = await tick_to(app, owner_en, clock, moscow(4, 10))
    assert text.startswith("⏰ Due now (03.03.2026 10:00):")
    # An hour after the snoozed reminder, still open: one nudge.
    assert await tick_to(app, owner_en, clock, moscow(4, 10, 59)) == []
    [nudge] = await tick_to(app, owner_en, clock, moscow(4, 11))
    assert nudge.startswith("❗ Still open, due 03.03.2026 10:00:")
    assert await tick_to(app, owner_en, clock, moscow(4, 23)) == []
    kinds = await task_events(app, task.id)
    assert kinds == ["task_created", "task_snoozed", "task_snoozed", "task_snoozed"]

    await owner_en.press_data(TaskCb(action="snooze", task_id=task.id, choice="1y").pack())
    assert owner_en.alert == "This button is no longer active."


async def test_a_repeating_task_done_shows_the_next_one(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    reminder = await reminder_at_due(app, owner_en, clock, "Daily report", repeat="daily")
    [edited] = await owner_en.press("Done", reminder)
    assert edited.text.splitlines()[0] == "✅ Done. Next one: Wed 04.03.2026 10:00"
    done, following = await all_tasks(app)
    assert done.done_at is not None and following.done_at is None
    assert (following.title, following.repeat, following.due_at) == (
        "Daily report",
        "daily",
        moscow(4, 10),
    )
    [text] = await tick_to(app, owner_en, clock, moscow(4, 10))
    assert text.startswith("⏰ Due now (04.03.2026 10:00):")


async def test_forged_presses_by_a_stranger_or_another_manager(
    app: App, owner_en: SimulatedUser, clock: ManualClock, join: Joiner, user: UserFactory
) -> None:
    manager = await join(MANAGER_ID, "manager", "Maria", language_code="en")
    colleague = await join(MANAGER_ID + 1, "manager", "Pavel", language_code="en")
    task = await make_task(app, OWNER_ID, "Call Ivan", moscow(3, 10), assignee_id=MANAGER_ID)
    stranger = user(666, "Eve", language_code="en")
    for action, value in (("done", ""), ("snooze", "15m")):
        data = TaskCb(action=action, task_id=task.id, choice=value).pack()
        await stranger.press_data(data)
        assert stranger.alert == "This is a private CRM. Ask its owner for an invitation."
        await colleague.press_data(data)
        assert colleague.alert == "This record no longer exists."
    [fresh] = await all_tasks(app)
    assert fresh.done_at is None and fresh.remind_at == moscow(3, 10)

    [text] = [t for t in await tick_to(app, manager, clock, moscow(3, 10)) if "Due now" in t]
    assert "Call Ivan" in text
    [edited] = await manager.press("Done", last_task_message(manager))
    assert edited.text.startswith("✅ Done")


async def test_the_earlier_reminder_then_the_main_one_and_the_nudge(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await make_task(app, OWNER_ID, "Meeting", moscow(3, 10), remind_before=15)
    await make_task(app, OWNER_ID, "Call", moscow(3, 10))
    assert await tick_to(app, owner_en, clock, moscow(3, 9, 44)) == []
    [early] = await tick_to(app, owner_en, clock, moscow(3, 9, 45))
    assert early.startswith("⏰ Coming up at 03.03.2026 10:00:") and "Meeting" in early
    due = await tick_to(app, owner_en, clock, moscow(3, 10))
    assert sorted(text.splitlines()[1] for text in due) == ["🔹 Call", "🔹 Meeting"]
    assert all(text.startswith("⏰ Due now (03.03.2026 10:00):") for text in due)

    await owner_en.press("Done", last_task_message(owner_en))  # one of the two is done
    assert await tick_to(app, owner_en, clock, moscow(3, 10, 59)) == []
    [nudge] = await tick_to(app, owner_en, clock, moscow(3, 11))
    assert nudge.startswith("❗ Still open, due 03.03.2026 10:00:")
    still_open = [t.title for t in await all_tasks(app) if t.done_at is None]
    assert [nudge.splitlines()[1]] == [f"🔹 {still_open[0]}"]
    assert await tick_to(app, owner_en, clock, moscow(3, 13)) == []
    clock.advance(timedelta(days=1))
    assert await tick_to(app, owner_en, clock, clock.now()) == []


async def test_after_the_bot_was_down_an_hour_the_reminder_comes_alone_and_once(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Down from before the due minute until past the nudge's: the reminder comes once on
    the first tick, without the nudge beside it; the nudge comes an hour after it."""
    await make_task(app, OWNER_ID, "Call Ivan", moscow(3, 10))
    assert await tick_to(app, owner_en, clock, moscow(3, 9, 55)) == []
    # The bot is down: no tick from 09:55 to 11:05.
    [text] = await tick_to(app, owner_en, clock, moscow(3, 11, 5))
    assert text.startswith("⏰ Due now (03.03.2026 10:00):")
    for minute in range(6, 60, 10):
        assert await tick_to(app, owner_en, clock, moscow(3, 11, minute)) == []
    [nudge] = await tick_to(app, owner_en, clock, moscow(3, 12, 5))
    assert nudge.startswith("❗ Still open, due 03.03.2026 10:00:")
    assert await tick_to(app, owner_en, clock, moscow(3, 20)) == []


async def test_an_earlier_reminder_set_after_its_moment_is_not_sent(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """“1 hour before” set at 12:30 on a task due at 10:00 (reminded then) sent "⏰ Coming
    up at 10:00" on the next tick; so did one set 30 minutes before the due time. An
    earlier reminder whose moment has passed, or of a task reminded already, counts as sent."""
    await reminder_at_due(app, owner_en, clock, "Overdue call")
    await make_task(app, OWNER_ID, "Soon call", moscow(3, 13))
    await make_task(app, OWNER_ID, "Later call", moscow(3, 16))
    overdue, soon, later = await all_tasks(app)
    [nudge] = await tick_to(app, owner_en, clock, moscow(3, 11))
    assert nudge.startswith("❗ Still open, due 03.03.2026 10:00:")
    clock.set(moscow(3, 12, 30))
    for task in (overdue, soon, later):  # the screen's "remind 1 hour before"
        await owner_en.press_data(TaskCb(action="early", task_id=task.id, number=60).pack())
        assert owner_en.alert == "Saved."
    assert await tick_to(app, owner_en, clock, moscow(3, 12, 31)) == []
    [due] = await tick_to(app, owner_en, clock, moscow(3, 13))
    assert due.startswith("⏰ Due now (03.03.2026 13:00):") and "Soon call" in due
    arrived = await tick_to(app, owner_en, clock, moscow(3, 15))  # and the nudge of 13:00
    [early] = [text for text in arrived if text.startswith("⏰ Coming up")]
    assert early.startswith("⏰ Coming up at 03.03.2026 16:00:") and "Later call" in early
    assert await tick_to(app, owner_en, clock, moscow(3, 15, 30)) == []


async def test_tomorrow_pressed_after_midnight_is_the_coming_morning(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Pressed at 00:30 on Wednesday, "Tomorrow" put the reminder off till Thursday 10:00,
    a day and a half on; before 05:00 it is now this morning's 10:00, named with its date
    (short_when wrote a time alone for today's). From 05:00 on it is the next day's."""
    await make_task(app, OWNER_ID, "Call Ivan", moscow(4, 0, 20))
    [_text] = await tick_to(app, owner_en, clock, moscow(4, 0, 20))
    clock.set(moscow(4, 0, 30))
    [edited] = await owner_en.press("Tomorrow", last_task_message(owner_en))
    assert edited.text.startswith("⏰ Snoozed until Wed 04.03 10:00"), edited.text
    [task] = await all_tasks(app)
    assert task.remind_at == moscow(4, 10)
    [_text] = await tick_to(app, owner_en, clock, moscow(4, 10))
    clock.set(moscow(4, 10, 5))
    [edited] = await owner_en.press("Tomorrow", last_task_message(owner_en))
    assert edited.text.startswith("⏰ Snoozed until Thu 05.03 10:00"), edited.text
    [task] = await all_tasks(app)
    assert task.remind_at == moscow(5, 10)


async def test_a_nudge_snoozed_and_still_open_is_nudged_again(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Snoozed from its "Still open" nudge, a task came back at the new time as a reminder,
    and was never nudged again however long it stayed open. Now the snoozed reminder is
    nudged an hour on, as the first one was; once per snooze."""
    await reminder_at_due(app, owner_en, clock, "Call Ivan")
    [nudge] = await tick_to(app, owner_en, clock, moscow(3, 11))
    assert nudge.startswith("❗ Still open")
    [edited] = await owner_en.press("+1 hour", last_task_message(owner_en))
    assert edited.text.startswith("⏰ Snoozed until 12:00")
    [again] = await tick_to(app, owner_en, clock, moscow(3, 12))
    assert again.startswith("⏰ Due now (03.03.2026 10:00):")
    assert await tick_to(app, owner_en, clock, moscow(3, 12, 59)) == []
    [nudge] = await tick_to(app, owner_en, clock, moscow(3, 13))
    assert nudge.startswith("❗ Still open, due 03.03.2026 10:00:")
    assert await tick_to(app, owner_en, clock, moscow(3, 23)) == []
