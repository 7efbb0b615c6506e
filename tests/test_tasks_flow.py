"""Tasks through the Dispatcher: /task, the card's button, the confirmation, /tasks.

The clock starts on Monday 02.03.2026 at 12:00 in Moscow (09:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.clients.callbacks import ClientCb
from handlers.tasks.callbacks import NewTaskCb, TaskCb, TasksCb
from reminders.limits import RateLimits
from reminders.scheduler import Ticker
from reminders.sender import OutboxSender
from storage.engine import create_session_factory
from storage.models import Event, Task
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MOSCOW = ZoneInfo("Europe/Moscow")
MANAGER_ID = 5001


def instant_delivery(app: App) -> None:
    """The app's ticker with a sender that never waits for a chat's rate limit.

    The ticker sends digests too, and two messages to one chat within a second
    would wait (or be put off until the clock moves); the limits have tests of their own.
    """
    limits = RateLimits(per_second=1e9, chat_interval=0.0)
    app.sender = OutboxSender(app.bot, app.crm, app.i18n, limits=limits)
    app.ticker = Ticker(app.crm, app.sender)


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    instant_delivery(app)


def moscow(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MOSCOW).astimezone(UTC)


async def all_tasks(app: App) -> list[Task]:
    async with create_session_factory(app.engine)() as session:
        return list(await session.scalars(select(Task).order_by(Task.id)))


async def task_events(app: App, task_id: int) -> list[str]:
    async with create_session_factory(app.engine)() as session:
        rows = await session.scalars(
            select(Event.kind).where(Event.task_id == task_id).order_by(Event.id)
        )
        return list(rows)


async def make_task(app: App, actor_id: int, title: str, due: datetime, **options: Any) -> Task:
    async with app.crm.open() as crm:
        actor = await crm.members.get_active(actor_id)
        assert actor is not None
        return await crm.tasks.create(actor, title, due, **options)


async def new_task(user: SimulatedUser, text: str) -> str:
    """``/task <text>``; the confirmation's text (English or Russian)."""
    [reply] = await user.send(f"/task {text}")
    assert reply.text.startswith(("✅ Task saved", "✅ Задача сохранена")), reply.text
    return reply.text


async def test_task_command_reads_the_when_as_people_write_it(
    app: App, owner_en: SimulatedUser
) -> None:
    text = await new_task(owner_en, "tomorrow 9am call Ivan")
    assert "call Ivan" in text and "🕒 Tue 03.03.2026 09:00" in text
    assert "Priority: normal" in text and "Reminder: at the due time" in text
    assert "Repeats: doesn't repeat" in text
    text = await new_task(owner_en, "in 30 min send the offer")
    assert "send the offer" in text and "🕒 Mon 02.03.2026 12:30" in text
    text = await new_task(owner_en, "25.12 14:30 order flowers")
    assert "🕒 Fri 25.12.2026 14:30" in text
    text = await new_task(owner_en, "next monday prepare the report")
    assert "🕒 Mon 09.03.2026 10:00" in text  # a day with no time: the default hour
    tasks = await all_tasks(app)
    assert [t.title for t in tasks] == [
        "call Ivan",
        "send the offer",
        "order flowers",
        "prepare the report",
    ]
    assert tasks[0].due_at == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    assert tasks[1].due_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert all(t.client_id is None and t.assignee_id == OWNER_ID for t in tasks)


async def test_task_command_reads_the_when_at_the_end(app: App, owner: SimulatedUser) -> None:
    [reply] = await owner.send("/task позвонить завтра в 10")
    assert reply.text.startswith("✅ Задача сохранена"), reply.text
    assert "позвонить" in reply.text and "🕒 Вт 03.03.2026 10:00" in reply.text
    [task] = await all_tasks(app)
    assert (task.title, task.due_at) == ("позвонить", moscow(3, 10))


async def test_task_command_reads_the_when_at_the_end_in_english(
    app: App, owner_en: SimulatedUser
) -> None:
    text = await new_task(owner_en, "call Bob on friday at 3pm")
    assert "call Bob" in text and "🕒 Fri 06.03.2026 15:00" in text
    [reply] = await owner_en.send("/task call Bob yesterday at 10")  # refused: the what is kept
    assert reply.text.startswith("That moment has already passed. The task “call Bob” is kept")
    [task] = await all_tasks(app)
    assert (task.title, task.due_at) == ("call Bob", moscow(6, 15))


async def test_task_command_reads_a_clock_time_in_the_middle(
    app: App, owner_en: SimulatedUser
) -> None:
    text = await new_task(owner_en, "call Ivan at 15:00 about the contract")
    assert "call Ivan about the contract" in text and "🕒 Mon 02.03.2026 15:00" in text
    [task] = await all_tasks(app)
    assert (task.title, task.due_at) == ("call Ivan about the contract", moscow(2, 15))


async def test_task_command_reads_a_clock_time_in_the_middle_in_russian(
    app: App, owner: SimulatedUser
) -> None:
    [reply] = await owner.send("/task позвонить Ивану завтра в 9:30 по договору")
    assert reply.text.startswith("✅ Задача сохранена"), reply.text
    assert "позвонить Ивану по договору" in reply.text and "🕒 Вт 03.03.2026 09:30" in reply.text
    [task] = await all_tasks(app)
    assert (task.title, task.due_at) == ("позвонить Ивану по договору", moscow(3, 9, 30))


async def test_task_command_links_to_the_open_card(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee", phones=("+79991234567",))
    await owner_en.press_data(ClientCb(action="open", client_id=client.id).pack())
    [reply] = await owner_en.send("/task tomorrow 10:00 call back about the price")
    assert "👤 Anna Lee" in reply.text and "📞 +7 999 123-45-67" in reply.text
    assert any("Open card" in text for text, _d, _u in reply.buttons)

    clock.advance(timedelta(minutes=16))  # the card is no longer open
    text = await new_task(owner_en, "tomorrow 11:00 book a table")
    assert "Anna Lee" not in text
    first, second = await all_tasks(app)
    assert first.client_id == client.id and second.client_id is None
    assert "task_created" in await task_events(app, first.id)


async def test_from_a_card_and_a_deal_when_then_what(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Boris Orlov")
    [prompt] = await owner_en.press_data(NewTaskCb(client_id=client.id).pack())
    assert prompt.text.startswith("A task for Boris Orlov. When and what?")
    [reply] = await owner_en.send("завтра в 10 позвонить")
    assert "позвонить" in reply.text and "🕒 Tue 03.03.2026 10:00" in reply.text
    assert "👤 Boris Orlov" in reply.text

    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app, OWNER_ID), client.id, 150_000_00, "Sofa")
    [prompt] = await owner_en.press_data(NewTaskCb(deal_id=deal.id).pack())
    assert prompt.text.startswith("A task for Sofa.")
    [question] = await owner_en.send("friday 15:00")  # the when first, then the what
    assert question.text == "What should be done?"
    [reply] = await owner_en.send("   ")
    assert reply.text == "What should be done?"
    [reply] = await owner_en.send("Send the invoice")
    assert "💼 Sofa" in reply.text and "🕒 Fri 06.03.2026 15:00" in reply.text
    assert any("Open deal" in text for text, _d, _u in reply.buttons)
    tasks = await all_tasks(app)
    assert (tasks[1].deal_id, tasks[1].client_id) == (deal.id, client.id)

    await owner_en.press_data(NewTaskCb(client_id=999_999).pack())
    assert owner_en.alert == "This record no longer exists."


async def test_what_is_not_a_date_gets_a_question(app: App, owner_en: SimulatedUser) -> None:
    [reply] = await owner_en.send("/task 32.13 call Ivan")
    assert reply.text.startswith("I couldn't read that as a date and time. The task “32.13")
    [reply] = await owner_en.send("/task вчера позвонить")  # the what is kept (test_task_text_kept)
    assert reply.text.startswith("That moment has already passed. The task “позвонить” is kept")
    [reply] = await owner_en.send("call Ivan sometime")
    assert reply.text.startswith("I couldn't read that as a date and time.")
    assert await all_tasks(app) == []
    [reply] = await owner_en.send("tomorrow 11:00")
    assert reply.text.startswith("✅ Task saved") and "позвонить" in reply.text

    [reply] = await owner_en.send("/task")
    assert reply.text.startswith("When and what?")
    # "today" alone at 12:00 would be 10:00, already past: the time is asked.
    [reply] = await owner_en.send("today call the bank")
    assert reply.text.startswith("What time on Mon 02.03?")
    [reply] = await owner_en.send("11:00")
    assert reply.text.startswith("That moment has already passed.")
    [reply] = await owner_en.send("after lunch")
    assert reply.text.startswith("I couldn't read that")
    [reply] = await owner_en.send("18:30")
    assert "call the bank" in reply.text and "🕒 Mon 02.03.2026 18:30" in reply.text
    [reply] = await owner_en.send("/task tomorrow " + "x" * 501)
    assert reply.text.startswith("That is too long: at most 500 characters.")
    [reply] = await owner_en.send("Shorter")
    assert "🕒 Tue 03.03.2026 10:00" in reply.text
    assert len(await all_tasks(app)) == 3


async def test_what_time_is_answered_with_the_hour_alone(app: App, owner_en: SimulatedUser) -> None:
    """Asked "What time on Mon 02.03?", "18" is the hour (a bare number is no time in a
    line of its own, where it could be a day or a count, but this asks for nothing else)."""
    [reply] = await owner_en.send("/task today call the bank")
    assert reply.text.startswith("What time on Mon 02.03?")
    [reply] = await owner_en.send("11")  # 11:00 today: gone by at 12:00
    assert reply.text.startswith("That moment has already passed.")
    [reply] = await owner_en.send("24")
    assert reply.text.startswith("I couldn't read that")
    [reply] = await owner_en.send("18")
    assert "call the bank" in reply.text and "🕒 Mon 02.03.2026 18:00" in reply.text

    [confirmation] = await owner_en.send("/task tomorrow 10:00 call Ivan")
    await owner_en.press("Change time", confirmation)
    [reply] = await owner_en.send("friday")  # Friday's 10:00 is ahead: no question
    assert "🕒 Fri 06.03.2026 10:00" in reply.text
    [reply] = await owner_en.send("/task сегодня позвонить")
    assert reply.text.startswith("What time on Mon 02.03?")
    [reply] = await owner_en.send(" 9 ")  # 09:00 today: gone by
    assert reply.text.startswith("That moment has already passed.")
    [reply] = await owner_en.send("21")
    assert "🕒 Mon 02.03.2026 21:00" in reply.text
    await owner_en.press("Change time", reply)
    [reply] = await owner_en.send("today")  # its 10:00 is gone: the time is asked
    assert reply.text.startswith("What time on Mon 02.03?")
    [reply] = await owner_en.send("19")
    assert "🕒 Mon 02.03.2026 19:00" in reply.text
    assert [task.due_at for task in await all_tasks(app)] == [
        moscow(2, 18),
        moscow(6, 10),
        moscow(2, 19),
    ]


async def test_a_deadline_word_stays_out_of_the_tasks_text(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "до 18:00" is when it is due: the text is what to do, with no "до" hanging in it."""
    text = await new_task(owner_en, "сдать отчёт до 18:00")
    assert "🔹 сдать отчёт\n" in text and "🕒 Mon 02.03.2026 18:00" in text
    text = await new_task(owner_en, "до 18:00 позвонить в банк")
    assert "🔹 позвонить в банк\n" in text
    text = await new_task(owner_en, "send the report by 6pm")
    assert "🔹 send the report\n" in text
    assert [task.title for task in await all_tasks(app)] == [
        "сдать отчёт",
        "позвонить в банк",
        "send the report",
    ]


async def test_changing_the_time_from_the_confirmation(app: App, owner_en: SimulatedUser) -> None:
    [confirmation] = await owner_en.send("/task tomorrow 10:00 call Ivan")
    [prompt] = await owner_en.press("Change time", confirmation)
    assert prompt.message_id == confirmation.message_id
    assert "Send the new date and time." in prompt.text
    [back] = await owner_en.press("Back", prompt)
    assert back.message_id == confirmation.message_id and "Change time" in str(back.buttons)

    await owner_en.press("Change time", back)
    [reply] = await owner_en.send("sometime")
    assert reply.text.startswith("I couldn't read that")
    [reply] = await owner_en.send("yesterday 10:00")
    assert reply.text.startswith("That moment has already passed.")
    [reply] = await owner_en.send("wednesday 18:00")
    assert reply.text.startswith("✅ Task saved") and "🕒 Wed 04.03.2026 18:00" in reply.text
    [task] = await all_tasks(app)
    assert task.due_at == moscow(4, 18) and task.remind_at == moscow(4, 18)
    assert await task_events(app, task.id) == ["task_created", "task_rescheduled"]


async def test_priority_reminder_and_repeat_edit_the_confirmation(
    app: App, owner_en: SimulatedUser
) -> None:
    [confirmation] = await owner_en.send("/task tomorrow 10:00 call Ivan")
    [picker] = await owner_en.press("Priority", confirmation)
    assert picker.message_id == confirmation.message_id
    assert "Choose the priority:" in picker.text and "✅ 🔹 normal" in str(picker.buttons)
    [screen] = await owner_en.press("high", picker)
    assert screen.message_id == confirmation.message_id
    assert "Priority: high" in screen.text and "🔺 call Ivan" in screen.text

    await owner_en.press("Reminder", screen)
    [screen] = await owner_en.press("1 hour before")
    assert "Reminder: 1 hour before" in screen.text
    await owner_en.press("Repeat", screen)
    [screen] = await owner_en.press("every weekday")
    assert "Repeats: every weekday" in screen.text
    assert screen.message_id == confirmation.message_id

    [task] = await all_tasks(app)
    assert (task.priority, task.remind_before, task.repeat) == ("high", 60, "weekdays")
    assert task.early_at == moscow(3, 9)
    for forged in (
        TaskCb(action="prio", task_id=task.id, choice="urgent"),
        TaskCb(action="early", task_id=task.id, number=5),
        TaskCb(action="repeat", task_id=task.id, choice="yearly"),
    ):
        await owner_en.press_data(forged.pack())
        assert owner_en.alert == "This button is no longer active."
    await owner_en.press("Repeat", screen)
    [screen] = await owner_en.press("doesn't repeat")
    assert "Repeats: doesn't repeat" in screen.text


async def test_assigning_to_a_manager_tells_them_at_once(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(MANAGER_ID, "manager", "Maria", language_code="en")
    await app.ticker.tick()  # the owner hears that Maria joined
    [confirmation] = await owner_en.send("/task tomorrow 10:00 call Ivan")
    [picker] = await owner_en.press("Assignee", confirmation)
    assert "Who should do it?" in picker.text
    names = [text for text, _d, _u in picker.buttons]
    assert "Maria" in names and "✅ Olga Owner" in names
    [screen] = await owner_en.press("Maria", picker)
    assert screen.message_id == confirmation.message_id and "🙋 Maria" in screen.text

    before = len(manager.chat_messages())
    assert await app.ticker.tick() == 1
    notice = manager.chat_messages()[before]
    assert notice.text.startswith("📌 A new task for you, due 03.03.2026 10:00:")
    assert "call Ivan" in notice.text
    assert [text for text, _d, _u in notice.buttons] == ["✅ Done"]  # no snoozing the news
    [task] = await all_tasks(app)
    assert task.assignee_id == MANAGER_ID
    assert await task_events(app, task.id) == ["task_created", "task_assigned"]


async def test_a_manager_cannot_assign_nor_touch_others_tasks(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(MANAGER_ID, "manager", "Maria", language_code="en")
    [confirmation] = await manager.send("/task tomorrow 10:00 call Ivan")
    assert "Assignee" not in str(confirmation.buttons) and "🙋 Maria" in confirmation.text
    [own] = await all_tasks(app)
    await manager.press_data(TaskCb(action="who", task_id=own.id).pack())
    assert manager.alert == "You don't have access to this."
    await manager.press_data(TaskCb(action="assign", task_id=own.id, number=OWNER_ID).pack())
    assert manager.alert == "You don't have access to this."

    others = await make_task(app, OWNER_ID, "Owner's own", moscow(3, 10))
    for action in ("show", "time", "prio"):
        await manager.press_data(TaskCb(action=action, task_id=others.id).pack())
        assert manager.alert == "This record no longer exists."
    tasks = await all_tasks(app)
    assert [t.assignee_id for t in tasks] == [MANAGER_ID, OWNER_ID]


async def test_tasks_sections_follow_the_clock(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await make_task(app, OWNER_ID, "Call Anna", moscow(2, 15), client_id=client.id)
    await make_task(app, OWNER_ID, "Send the offer", moscow(3, 10), priority="high")
    await make_task(app, OWNER_ID, "Visit", moscow(6, 11))
    await make_task(app, OWNER_ID, "Far away", moscow(20, 10))

    [listing] = await owner_en.send("/tasks")
    lines = listing.text.splitlines()
    assert lines[0] == "✅ Your tasks"
    assert "📅 Today: 1" in lines and "🗓 Next 7 days: 2" in lines
    assert "1. 🔹 15:00 Call Anna — 👤 Anna Lee" in lines
    assert "2. 🔺 Tue 03.03 10:00 Send the offer" in lines
    assert "Overdue" not in listing.text
    # Further ahead than the week: under "Later" (issue 10, item 12).
    assert "🔭 Later: 1" in lines and "4. 🔹 Fri 20.03 10:00 Far away" in lines
    assert "Whose tasks" in str(listing.buttons)
    assert ClientCb(action="open", client_id=client.id).pack() in str(listing.buttons)

    clock.set(moscow(2, 16))
    [listing] = await owner_en.send("✅ Tasks")  # the menu button
    assert "❗ Overdue: 1" in listing.text and "Today" not in listing.text
    [listing_after] = await owner_en.press("1. Call Anna", listing)
    assert listing_after.message_id == listing.message_id
    assert owner_en.alert == "Done."
    assert "Overdue" not in listing_after.text and "☑️ Done recently: 1" in listing_after.text
    assert "1. 🔹 Tue 03.03 10:00 Send the offer" in listing_after.text.replace("🔺", "🔹")
    await owner_en.press_data(
        TasksCb(action="done", who=OWNER_ID, task_id=(await all_tasks(app))[0].id).pack()
    )
    assert owner_en.alert == "Already done."

    clock.set(moscow(14, 12))
    [listing] = await owner_en.send("/tasks")
    assert "Done recently" not in listing.text and "❗ Overdue: 2" in listing.text
    assert "🗓 Next 7 days: 1" in listing.text and "Far away" in listing.text


async def test_every_section_is_counted_whole_and_paged_through(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """At most 30 tasks of a section were read: 35 overdue said "❗ Overdue: 30", and the 5
    most recently overdue were on no page (so were "Later"'s past 30)."""
    for n in range(35):
        await make_task(app, OWNER_ID, f"Overdue {n:02}", moscow(2, 13, n))
    await make_task(app, OWNER_ID, "Today's", moscow(2, 18))
    for n in range(32):
        await make_task(app, OWNER_ID, f"Later {n:02}", moscow(20, 10, n))
    clock.set(moscow(2, 14))
    [listing] = await owner_en.send("/tasks")
    assert "❗ Overdue: 35" in listing.text.splitlines()
    pages, numbered = [listing.text], []
    while "▶️" in [text for text, _d, _u in listing.buttons]:
        [listing] = await owner_en.press("▶️", listing)
        pages.append(listing.text)
    for text in pages:
        numbered += [line for line in text.splitlines() if line[:1].isdigit()]
    assert len(pages) == 9  # 68 tasks, 8 a page
    titles = [line.rsplit(":", 1)[1][3:] for line in numbered]  # after the time
    expected = [f"Overdue {n:02}" for n in range(35)] + ["Today's"]
    assert titles == expected + [f"Later {n:02}" for n in range(32)]
    assert [line.split(".")[0] for line in numbered] == [str(n) for n in range(1, 69)]
    # a section's heading on each page it goes on says the whole count
    assert all("❗ Overdue: 35" in text for text in pages[:5])
    assert "📅 Today: 1" in pages[4] and "🔭 Later: 32" in pages[4] and "🔭 Later: 32" in pages[8]


async def test_owner_switches_to_a_member_and_to_everyone(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(MANAGER_ID, "manager", "Maria", language_code="en")
    await make_task(app, OWNER_ID, "Owner's call", moscow(3, 10))
    await make_task(app, MANAGER_ID, "Maria's call", moscow(3, 11))

    [listing] = await owner_en.send("/tasks")
    assert "Owner's call" in listing.text and "Maria's call" not in listing.text
    [picker] = await owner_en.press("Whose tasks", listing)
    assert picker.text == "Whose tasks to show?" and picker.message_id == listing.message_id
    [listing] = await owner_en.press("Maria", picker)
    assert listing.text.startswith("✅ Tasks of Maria") and "Maria's call" in listing.text
    assert "Owner's call" not in listing.text
    await owner_en.press("Whose tasks", listing)
    [listing] = await owner_en.press("Everyone")
    assert listing.text.startswith("✅ Everyone's tasks")
    assert "Owner's call · Olga Owner" in listing.text and "Maria's call · Maria" in listing.text
    await owner_en.press("Whose tasks", listing)
    [listing] = await owner_en.press("Mine")
    assert listing.text.startswith("✅ Your tasks")

    [own] = await manager.send("/tasks")
    assert "Maria's call" in own.text and "Whose tasks" not in str(own.buttons)
    for who in (OWNER_ID, 0):
        await manager.press_data(TasksCb(action="show", who=who).pack())
        assert manager.alert == "You don't have access to this."
    await manager.press_data(TasksCb(action="pick", who=MANAGER_ID).pack())
    assert manager.alert == "You don't have access to this."


@pytest.mark.parametrize(
    ("day", "tonight", "after_midnight"),
    [
        ((2026, 3, 29), (23, 30), (0, 30)),  # Berlin's 23-hour Sunday
        ((2026, 10, 25), (23, 30), (0, 30)),  # and its 25-hour one
    ],
)
async def test_today_is_the_readers_day_when_the_clocks_move(
    app: App,
    owner_en: SimulatedUser,
    clock: ManualClock,
    day: tuple[int, int, int],
    tonight: tuple[int, int],
    after_midnight: tuple[int, int],
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Change time zone")
    await owner_en.send("Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    sunday = datetime(*day, 10, tzinfo=berlin)
    clock.set(sunday.astimezone(UTC))
    await make_task(app, OWNER_ID, "Late call", datetime(*day, *tonight, tzinfo=berlin))
    monday = sunday + timedelta(days=1)
    early = datetime(monday.year, monday.month, monday.day, *after_midnight, tzinfo=berlin)
    await make_task(app, OWNER_ID, "Early call", early)
    [listing] = await owner_en.send("/tasks")
    lines = listing.text.splitlines()
    assert "📅 Today: 1" in lines and "🗓 Next 7 days: 1" in lines
    assert lines.index("📅 Today: 1") < lines.index("1. 🔹 23:30 Late call")
    assert lines.index("🗓 Next 7 days: 1") < lines.index(
        f"2. 🔹 Mon {early:%d.%m} 00:30 Early call"
    )
