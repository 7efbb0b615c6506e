"""The owner's automation screens through the Dispatcher: turn a ready rule on with one tap,
see it fire and how often, pause and resume it; a manager cannot open them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.automation.callbacks import AutoAction, AutoCb
from storage.engine import create_session_factory
from storage.models import Task
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner


async def tasks(app: App) -> list[Task]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(Task).order_by(Task.id)))


async def test_a_ready_rule_is_one_tap_fires_and_pauses(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/settings")
    [rules] = await owner_en.press("Automation")
    assert "No rules yet" in rules.text
    [ready] = await owner_en.press("Ready rules")
    assert "Call new leads: new client → task “Call back” within 15 minutes" in ready.text
    [listed] = await owner_en.press("Call new leads")
    assert owner_en.alert == "Turned on: Call new leads."
    assert "▶️ Call new leads: last fired never, 0 this week" in listed.text

    await make_client(app, OWNER_ID, "Ivan Petrov")
    await app.ticker.tick()
    [task] = await tasks(app)
    assert task.title == "Call back Ivan Petrov"
    assert task.due_at == clock.now() + timedelta(minutes=15)

    [rule] = await owner_en.press("Call new leads", listed)
    assert "This week: 1, in all: 1" in rule.text
    assert "Last fired: 02.03.2026 12:00" in rule.text
    [paused] = await owner_en.press("Pause")
    assert owner_en.alert == "Paused." and "State: paused" in paused.text
    await make_client(app, OWNER_ID, "Anna Lee")
    await app.ticker.tick()
    assert len(await tasks(app)) == 1
    [resumed] = await owner_en.press("Resume")
    assert owner_en.alert == "Resumed." and "State: working" in resumed.text

    [ready] = await owner_en.press("Rules")
    [starters] = await owner_en.press("Ready rules")
    assert "✅ Call new leads" in starters.text
    assert all("Call new leads" not in text for text, _data, _url in starters.buttons)


async def test_the_timeline_shows_what_a_rule_did(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Automation")
    await owner_en.press("Ready rules")
    await owner_en.press("Call new leads")
    client = await make_client(app, OWNER_ID, "Oleg")
    await app.ticker.tick()
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        page = await crm.client_queries.card(member, client.id)
    from handlers.kit.timeline import event_text

    with app.i18n.context(), app.i18n.use_locale("en"):
        lines = [event_text(e, {}, []) for e in page.events]
    assert "🤖 «Call new leads»: task «Call back Oleg»" in lines


async def test_a_manager_cannot_open_automation(app: App, join: Joiner) -> None:
    manager = await join(777, language_code="en")
    await manager.press_data(AutoCb(action=AutoAction.LIST).pack())
    assert manager.alert is not None and "access" in manager.alert


async def test_a_hundred_rules_are_paged_ten_to_a_page(app: App, owner_en: SimulatedUser) -> None:
    """Every rule listed at once made over 4096 units (and 103 buttons): the list never
    opened."""
    task = {"type": "create_task", "title": "Call", "due_minutes": 0, "assignee": "responsible"}
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        for number in range(100):
            name = f"Rule {number:02d} " + "x" * 90
            await crm.automation.add(owner, name, "client_created", {}, [task])
    await owner_en.send("/settings")
    [first] = await owner_en.press("Automation")
    assert first.text.count("▶️ Rule") == 10 and "Rule 09" in first.text
    assert [text for text, _data, _url in first.buttons][10:13] == ["1/10", "▶️", "➕ New rule"]
    [second] = await owner_en.press("▶️")
    assert "Rule 10" in second.text and "Rule 19" in second.text and "Rule 09" not in second.text
    [rule] = await owner_en.press(next(t for t, _d, _u in second.buttons if "Rule 12" in t))
    assert "Rule 12" in rule.text
