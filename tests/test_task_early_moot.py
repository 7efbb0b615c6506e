"""An earlier reminder ("remind before") whose moment has passed when the task is made, moved
or repeated counts as sent, as when it is set on the task's screen (crm.tasks.early_reminder).

The clock starts on Monday 02.03.2026 at 12:00 in Moscow; ``tick_to`` moves it and ticks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from crm.tasks import early_reminder
from tests.conftest import OWNER_ID
from tests.test_task_reminder_buttons import last_task_message, tick_to
from tests.test_tasks_flow import all_tasks, instant_delivery, make_task, moscow

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _instant_delivery(app: App) -> None:
    instant_delivery(app)


@pytest.mark.parametrize(
    ("due_in", "before", "reminded", "expected"),
    [
        (timedelta(hours=2), 0, False, (None, None)),  # none asked
        (timedelta(hours=2), 60, False, (NOW + timedelta(hours=1), None)),  # still to come
        (timedelta(minutes=30), 60, False, (NOW - timedelta(minutes=30), NOW)),  # passed
        (timedelta(hours=1), 60, False, (NOW, NOW)),  # its very minute: sent now
        (timedelta(hours=1) + MINUTE, 60, False, (NOW + MINUTE, None)),  # a minute to go
        (-timedelta(hours=2), 15, True, (NOW - timedelta(minutes=135), NOW)),  # overdue
        (timedelta(days=2), 1440, True, (NOW + timedelta(days=1), NOW)),  # reminded already
    ],
)
def test_an_earlier_reminder_is_sent_or_not_by_its_moment(
    due_in: timedelta,
    before: int,
    reminded: bool,
    expected: tuple[datetime | None, datetime | None],
) -> None:
    assert early_reminder(NOW + due_in, before, reminded, NOW) == expected


async def test_no_coming_up_for_a_task_made_moved_or_repeated_after_its_moment(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    """At 12:00: a task due 12:30 with "1 hour before", one due tomorrow moved to 12:40
    with "1 hour before", and a daily one due 12:05 with "1 day before", done at 12:05 (its
    next, tomorrow at 12:05, would have come up today at 12:05). None says "⏰ Coming up"
    at the next tick (each did); each is reminded at its due time."""
    await make_task(app, OWNER_ID, "Soon call", moscow(2, 12, 30), remind_before=60)
    moved = await make_task(app, OWNER_ID, "Moved call", moscow(3, 10), remind_before=60)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.tasks.reschedule(owner, moved.id, moscow(2, 12, 40))
    await make_task(
        app, OWNER_ID, "Daily call", moscow(2, 12, 5), remind_before=1440, repeat="daily"
    )
    assert await tick_to(app, owner_en, clock, moscow(2, 12, 1)) == []
    [due] = await tick_to(app, owner_en, clock, moscow(2, 12, 5))
    assert due.startswith("⏰ Due now (02.03.2026 12:05):") and "Daily call" in due
    await owner_en.press("Done", last_task_message(owner_en))
    assert len(await all_tasks(app)) == 4  # the daily one's next, tomorrow
    assert await tick_to(app, owner_en, clock, moscow(2, 12, 6)) == []
    [soon] = await tick_to(app, owner_en, clock, moscow(2, 12, 30))
    assert soon.startswith("⏰ Due now (02.03.2026 12:30):") and "Soon call" in soon
    [then] = await tick_to(app, owner_en, clock, moscow(2, 12, 40))
    assert then.startswith("⏰ Due now (02.03.2026 12:40):") and "Moved call" in then
