"""A repeating task's next occurrences, as its assignee meets them: the reminder comes, Done.

The 31st of every month falls on the 30th (or the 28th, 29th) in a shorter month and comes
back to the 31st after it; a repeat that was missed for weeks comes back once, not in a burst.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.tasks.callbacks import TaskAction, TaskCb
from tests.conftest import OWNER_ID
from tests.test_tasks_flow import all_tasks, instant_delivery, make_task

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    instant_delivery(app)


def local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=MOSCOW).astimezone(UTC)


async def done_on_its_reminder(
    app: App, user: SimulatedUser, clock: ManualClock, zone: ZoneInfo = MOSCOW
) -> str:
    """The newest open task's reminder comes at its time; Done is pressed on it."""
    [task] = [task for task in await all_tasks(app) if task.done_at is None]
    clock.set(task.due_at)
    await app.ticker.tick()
    [reminder] = [m for m in user.chat_messages() if m.text.startswith("⏰ Due now")][-1:]
    assert f"({task.due_at.astimezone(zone):%d.%m.%Y %H:%M})" in reminder.text
    [after] = await user.press("✅ Done", reminder)
    return after.text.splitlines()[0]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        # The 31st: a 30-day month, February, and back to the 31st each time.
        (
            (2027, 1, 31),
            ["Sun 28.02.2027", "Wed 31.03.2027", "Fri 30.04.2027", "Mon 31.05.2027"],
        ),
        # The 30th: February's last day, then the 30th again.
        ((2027, 1, 30), ["Sun 28.02.2027", "Tue 30.03.2027", "Fri 30.04.2027"]),
        # The 29th in a leap year: February has it, the next year's has not.
        ((2028, 1, 29), ["Tue 29.02.2028", "Wed 29.03.2028"]),
        ((2029, 1, 29), ["Wed 28.02.2029", "Thu 29.03.2029"]),
    ],
)
async def test_a_monthly_task_keeps_its_day_after_a_shorter_month(
    app: App,
    owner_en: SimulatedUser,
    clock: ManualClock,
    first: tuple[int, int, int],
    expected: list[str],
) -> None:
    clock.set(local(*first) - timedelta(days=1))
    await app.ticker.tick()  # the day's summary, out of the way
    await make_task(app, OWNER_ID, "Pay the rent", local(*first), repeat="monthly")
    seen = [await done_on_its_reminder(app, owner_en, clock) for _ in expected]
    assert seen == [f"✅ Done. Next one: {day} 10:00" for day in expected]


async def test_a_monthly_task_moved_to_another_day_keeps_the_new_day(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Its day is the one it was last given: moved from the 31st to the 15th, the 15th stays."""
    clock.set(local(2027, 1, 30))
    await make_task(app, OWNER_ID, "Pay the rent", local(2027, 1, 31), repeat="monthly")
    assert await done_on_its_reminder(app, owner_en, clock) == (
        "✅ Done. Next one: Sun 28.02.2027 10:00"
    )
    [task] = [task for task in await all_tasks(app) if task.done_at is None]
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.tasks.reschedule(owner, task.id, local(2027, 2, 15))
    assert await done_on_its_reminder(app, owner_en, clock) == (
        "✅ Done. Next one: Mon 15.03.2027 10:00"
    )


async def test_a_daily_task_in_the_hour_the_clocks_skip_keeps_its_time_after(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """Every day at 02:30 in Berlin: on the night the clocks jump from 02:00 to 03:00 it
    comes at 03:00, and at 02:30 again the days after (it stayed at 03:30 for good)."""
    berlin = ZoneInfo("Europe/Berlin")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_timezone(owner, "Europe/Berlin")
    first = datetime(2026, 3, 28, 2, 30, tzinfo=berlin)
    clock.set(first - timedelta(days=1))
    await app.ticker.tick()  # the day's summary, out of the way
    await make_task(app, OWNER_ID, "Night backup check", first, repeat="daily")
    seen = [await done_on_its_reminder(app, owner_en, clock, berlin) for _ in range(3)]
    assert seen == [
        "✅ Done. Next one: Sun 29.03.2026 03:00",
        "✅ Done. Next one: Mon 30.03.2026 02:30",
        "✅ Done. Next one: Tue 31.03.2026 02:30",
    ]


async def test_a_repeat_missed_for_weeks_comes_back_once(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """A daily task left undone for ten days: Done makes one next occurrence, the next one
    still ahead, and the reminders of the days missed never come."""
    task = await make_task(app, OWNER_ID, "Morning calls", local(2026, 3, 3), repeat="daily")
    clock.set(task.due_at)
    await app.ticker.tick()
    reminder = owner_en.last_message()
    clock.advance(timedelta(hours=2))
    await app.ticker.tick()
    assert owner_en.last_message().text.startswith("❗ Still open")  # the nudge, once
    clock.set(local(2026, 3, 13, 12))  # ten days on, after its hour
    before = len(owner_en.chat_messages())
    for _ in range(3):
        await app.ticker.tick()
        clock.advance(timedelta(minutes=1))
    assert [m.text for m in owner_en.chat_messages()[before:] if "Morning calls" in m.text] == []
    done = TaskCb(action=TaskAction.DONE, task_id=task.id).pack()
    [after] = await owner_en.press_data(done, reminder)
    assert after.text.startswith("✅ Done. Next one: Sat 14.03.2026 10:00")
    assert [t.due_at for t in await all_tasks(app)] == [task.due_at, local(2026, 3, 14)]
