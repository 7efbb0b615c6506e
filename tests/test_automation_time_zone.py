"""A rule's times are in its owner's time zone: one built after the owner chose
Asia/Vladivostok in /settings puts "10:00 the next working day" at 10:00 there, and its
screen says so; a rule built before keeps the zone it was built in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.engine import create_session_factory
from storage.models import Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID

# START (tests.conftest) is Monday 02.03.2026 09:00 UTC: 12:00 in Moscow, 19:00 in Vladivostok.
TASK = {"type": "create_task", "title": "Call {client.name}", "due": "next_workday"}


async def add_rule(app: App, name: str) -> None:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.automation.add(owner, name, "client_created", {}, [{**TASK, "title": name}])


async def rule_screen(owner: SimulatedUser, name: str) -> str:
    await owner.send("/settings")
    [rules] = await owner.press("Automation")
    [screen] = await owner.press(name, rules)
    return screen.text


async def test_a_rule_keeps_the_time_zone_its_owner_set(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await add_rule(app, "Before")  # the deployment's zone, as the owner had then
    await owner_en.send("/settings")
    await owner_en.press("🕒 Change time zone")
    await owner_en.press("Asia/Vladivostok")
    await add_rule(app, "After")

    await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open(background=True) as crm:
        assert await crm.automation.tick() == 2
    async with create_session_factory(app.engine)() as db:
        due = {t.title: t.due_at.replace(tzinfo=UTC) for t in await db.scalars(select(Task))}
    # Tuesday 10:00 in Vladivostok, and 10:00 in Moscow for the rule made before.
    assert due == {
        "After": datetime(2026, 3, 3, 0, 0, tzinfo=UTC),
        "Before": datetime(2026, 3, 3, 7, 0, tzinfo=UTC),
    }
    assert "Its times are in the time zone Asia/Vladivostok." in await rule_screen(
        owner_en, "After"
    )
    assert "Its times are in the time zone Europe/Moscow." in await rule_screen(owner_en, "Before")
