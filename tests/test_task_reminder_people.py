"""Whose reminder, and at what time, when people change: a new time zone, a new assignee.

A task is a moment: a member who moves to another time zone keeps their tasks at the
moments they set (a call with a client at 10:00 Moscow is still the client's 10:00), and
every screen, the reminder and the next repeat show it on the new clock (12:00 in
Yekaterinburg). A task given to another member reminds its new assignee, never the old one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.tasks.callbacks import TaskAction, TaskCb
from reminders.limits import RateLimits
from reminders.scheduler import Ticker
from reminders.sender import OutboxSender
from tests.conftest import OWNER_ID, Joiner
from tests.test_outbox_sender import FakeMonotonic
from tests.test_tasks_flow import all_tasks, instant_delivery, make_task, moscow

MARIA, BORIS = 5101, 5102


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    instant_delivery(app)


class Flood:
    """The app's ticker with a sender on a fake monotonic clock, that a chat's next
    message is refused with a 429 (a 30 seconds' pause) for, and waits it out."""

    def __init__(self, app: App, clock: ManualClock, session: OfflineSession) -> None:
        self._app, self._clock, self._session = app, clock, session
        self._monotonic = FakeMonotonic()
        limits = RateLimits(per_second=1e9, chat_interval=0.0, monotonic=self._monotonic)
        app.sender = OutboxSender(app.bot, app.crm, app.i18n, limits=limits)
        app.ticker = Ticker(app.crm, app.sender)

    def next_to(self, chat_id: int) -> None:
        refused = TelegramRetryAfter(SendMessage(chat_id=chat_id, text="…"), "Flood", 30)
        self._session.answer_next(refused, SendMessage, chat_id=chat_id)

    async def wait_out(self) -> None:
        """The pause goes by, and the sender sends again."""
        for _ in range(3):
            self._clock.advance(timedelta(seconds=31))
            self._monotonic.now += 31
            await self._app.ticker.tick()


def reminders(user: SimulatedUser) -> list[str]:
    return [m.text for m in user.chat_messages() if m.text.startswith("⏰ Due now")]


async def test_a_new_time_zone_keeps_the_moment_and_shows_it_on_the_new_clock(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await app.ticker.tick()  # the day's summary, out of the way
    [confirmation] = await owner_en.send("/task tomorrow 10:00 call Ivan")
    assert "Tue 03.03.2026 10:00" in confirmation.text
    await owner_en.press("Repeat", confirmation)
    await owner_en.press("every day")

    await owner_en.send("/settings")
    await owner_en.press("Change time zone")
    [screen] = await owner_en.send("Asia/Yekaterinburg")  # two hours ahead of Moscow
    assert "Asia/Yekaterinburg (now 02.03.2026 14:00)" in screen.text
    [task] = await all_tasks(app)
    assert task.due_at == moscow(3, 10)  # the moment it was set for

    [listing] = await owner_en.send("/tasks")
    assert "Tue 03.03 12:00 call Ivan" in listing.text
    [card] = await owner_en.press_data(TaskCb(action=TaskAction.OPEN, task_id=task.id).pack())
    assert "Tue 03.03.2026 12:00" in card.text

    clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg")))
    await app.ticker.tick()
    assert reminders(owner_en) == []  # 10:00 on the new clock is not the task's moment
    clock.set(moscow(3, 10))
    await app.ticker.tick()
    [reminder] = reminders(owner_en)
    assert reminder.startswith("⏰ Due now (03.03.2026 12:00):")
    [after] = await owner_en.press("✅ Done", owner_en.chat_messages()[-1])
    assert after.text.startswith("✅ Done. Next one: Wed 04.03.2026 12:00")


async def test_a_task_given_to_another_member_reminds_them_not_the_first(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    maria = await join(MARIA, "manager", "Maria", language_code="en")
    boris = await join(BORIS, "manager", "Boris", language_code="en")
    await app.ticker.tick()  # the morning lists, out of the way
    due = clock.now() + timedelta(hours=2)
    task = await make_task(
        app, OWNER_ID, "Send the offer", due, assignee_id=MARIA, remind_before=60
    )
    clock.set(due - timedelta(hours=1))
    await app.ticker.tick()
    # The outbox sends a tick's messages side by side: the "new task" notice may land after.
    assert "⏰ Coming up at 02.03.2026 14:00:" in [
        m.text.splitlines()[0] for m in maria.chat_messages()
    ]

    [screen] = await owner_en.press_data(TaskCb(action=TaskAction.OPEN, task_id=task.id).pack())
    [picker] = await owner_en.press("Assignee", screen)
    await owner_en.press("Boris", picker)
    told = [m.text for m in boris.chat_messages()]
    await app.ticker.tick()
    assert [m.text for m in boris.chat_messages()][len(told) :][0].startswith(
        "📌 A new task for you, due 02.03.2026 14:00:"
    )

    before = len(maria.chat_messages())
    for moment in (due, due + timedelta(hours=1), due + timedelta(hours=2)):
        clock.set(moment)
        await app.ticker.tick()
    assert maria.chat_messages()[before:] == []
    assert [text.splitlines()[0] for text in reminders(boris)] == ["⏰ Due now (02.03.2026 14:00):"]
    assert boris.last_message().text.startswith("❗ Still open, due 02.03.2026 14:00:")


async def test_a_reminder_waiting_out_a_429_goes_to_whoever_holds_the_task_when_sent(
    app: App,
    owner_en: SimulatedUser,
    join: Joiner,
    clock: ManualClock,
    session: OfflineSession,
) -> None:
    """Maria's reminder is refused with a 429; the task is given to Boris meanwhile: the
    reminder goes to Boris once the pause is over, once, and never to Maria (it was given
    up for Maria no longer holding the task, and nobody was reminded)."""
    flood = Flood(app, clock, session)
    maria = await join(MARIA, "manager", "Maria", language_code="en")
    boris = await join(BORIS, "manager", "Boris", language_code="en")
    await app.ticker.tick()  # the morning lists, out of the way
    due = clock.now() + timedelta(hours=2)
    task = await make_task(app, OWNER_ID, "Send the offer", due, assignee_id=MARIA)
    clock.set(due)
    flood.next_to(MARIA)
    await app.ticker.tick()
    assert reminders(maria) == []  # refused: it waits out the pause

    [screen] = await owner_en.press_data(TaskCb(action=TaskAction.OPEN, task_id=task.id).pack())
    [picker] = await owner_en.press("Assignee", screen)
    await owner_en.press("Boris", picker)
    await flood.wait_out()
    assert reminders(maria) == []
    assert [text.splitlines()[0] for text in reminders(boris)] == ["⏰ Due now (02.03.2026 14:00):"]
