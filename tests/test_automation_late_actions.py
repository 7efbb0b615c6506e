"""A rule's delayed task, message or prepared offer about where a deal is waits for its delay as
a late move does; a deal won, lost or moved on since the rule was set off gets none of them (the
action is skipped as "moved since", said on the rule's screen and the 🤖 line), while a deal left
where it was gets them, a firing's own move does not stop its later actions, and rules set off
by anything but a deal's stage act as before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.engine import create_session_factory
from storage.models import AutomationFiring, ClientTag, Event, OutboxMessage, Task
from tests.test_automation_core import move, new_deal, owner, rows, stage, tick
from tests.test_automation_moved_since import win_on_its_card
from tests.test_automation_rule_screen import rule_screen

DAY = timedelta(days=1)
FOLLOW_UP = {"type": "create_task", "title": "Follow up: {deal.title}"}
TELL = {"type": "notify", "to": "owner", "text": "Still on the offer: {deal.title}"}


async def a_day_after(
    app: App, name: str, trigger: str, params: dict[str, Any], actions: list[dict[str, Any]]
) -> None:
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            name,
            trigger,
            params,
            actions,
            delay={"kind": "after", "minutes": 24 * 60},
        )


async def on_the_offer(app: App, name: str, actions: list[dict[str, Any]]) -> None:
    """When a deal enters "proposal", a day later the rule does ``actions``."""
    await a_day_after(
        app, name, "deal_entered_stage", {"stage_id": await stage(app, "proposal")}, actions
    )


async def told(app: App) -> list[str]:
    messages = await rows(app, OutboxMessage, OutboxMessage.kind == "automation_notice")
    return [str(message.payload["text"]) for message in messages]


async def the_task_a_day_later(app: App, clock: ManualClock) -> str:
    """The title of the one task there is once the clock has done a day later's firings."""
    clock.advance(DAY)
    await tick(app)
    [task] = await rows(app, Task)
    return str(task.title)


async def test_a_deal_won_meanwhile_gets_no_late_follow_up(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await on_the_offer(app, "Follow up", [FOLLOW_UP])
    deal_id = await new_deal(app, "Ivan", 50_000_00)
    await move(app, deal_id, "proposal")
    clock.advance(timedelta(hours=3))
    await win_on_its_card(owner_en, deal_id)
    clock.advance(DAY)
    await tick(app)
    assert await rows(app, Task) == []
    [firing] = await rows(app, AutomationFiring)
    assert firing.outcome == "skipped"
    assert firing.detail == [{"type": "create_task", "skipped": "moved since"}]
    said = "Last time it could not create a task: it was moved after the rule was set off"
    assert said in await rule_screen(owner_en, "Follow up")


async def test_a_deal_moved_on_meanwhile_gets_no_late_message_nor_offer(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    async with app.crm.open() as crm:
        offer = await crm.templates.add_text(await owner(crm), "Offer", "Dear {client.name}")
    prepare = {"type": "prepare_template", "template_id": offer.id}
    await on_the_offer(app, "Nudge", [TELL, prepare, {"type": "add_tag", "tag": "offered"}])
    deal_id = await new_deal(app, "Pyotr")
    await move(app, deal_id, "proposal")
    clock.advance(timedelta(hours=2))
    await move(app, deal_id, "invoice")  # the member went further meanwhile
    clock.advance(DAY)
    await tick(app)
    assert await told(app) == []
    assert await rows(app, OutboxMessage, OutboxMessage.kind == "automation_template") == []
    async with create_session_factory(app.engine)() as db:  # not about the stage: added
        assert list(await db.scalars(select(ClientTag.tag))) == ["offered"]
    [line] = await rows(app, Event, Event.kind == "automation")
    assert line.data["done"][:2] == [
        {"type": "notify", "skipped": "moved since"},
        {"type": "prepare_template", "skipped": "moved since"},
    ]
    text = await rule_screen(owner_en, "Nudge")
    assert (
        "⚠️ Last time it could not send a message: it was moved after the rule was set off" in text
    )
    assert "⚠️ Last time it could not prepare a template: it was moved after the rule" in text


async def test_a_deal_left_on_the_offer_gets_them(app: App, clock: ManualClock) -> None:
    await on_the_offer(app, "Follow up", [FOLLOW_UP, TELL])
    deal_id = await new_deal(app, "Anna")
    await move(app, deal_id, "proposal")
    clock.advance(DAY)
    await tick(app)
    [task] = await rows(app, Task)
    assert (task.title, task.deal_id) == ("Follow up: Anna", deal_id)
    assert await told(app) == ["Still on the offer: Anna"]


async def test_the_rules_own_move_does_not_stop_its_later_task(
    app: App, clock: ManualClock
) -> None:
    to_invoice = {"type": "move_stage", "stage_id": await stage(app, "invoice")}
    await on_the_offer(app, "On to the invoice", [to_invoice, FOLLOW_UP])
    deal_id = await new_deal(app, "Oleg")
    await move(app, deal_id, "proposal")
    assert await the_task_a_day_later(app, clock) == "Follow up: Oleg"


async def test_a_rule_set_off_by_a_field_still_acts_on_a_moved_deal(
    app: App, clock: ManualClock
) -> None:
    await a_day_after(app, "Big deal", "field_changed", {"field": "deal.amount"}, [FOLLOW_UP])
    deal_id = await new_deal(app, "Vera")
    async with app.crm.open() as crm:
        await crm.deals.set_amount(await owner(crm), deal_id, 900_000_00)
    await move(app, deal_id, "won")
    assert await the_task_a_day_later(app, clock) == "Follow up: Vera"


async def test_an_at_once_task_is_not_stopped_by_another_rules_move(
    app: App, clock: ManualClock
) -> None:
    """Only a delayed action waits long enough for a deal to move on: rules acting at once on
    the same stage both act, though one of them moves the deal before the other's turn."""
    offer, invoice = await stage(app, "proposal"), await stage(app, "invoice")
    async with app.crm.open() as crm:
        me = await owner(crm)
        on = {"stage_id": offer}
        move_on = [{"type": "move_stage", "stage_id": invoice}]
        await crm.automation.add(me, "On to the invoice", "deal_entered_stage", on, move_on)
        await crm.automation.add(me, "Follow up", "deal_entered_stage", on, [FOLLOW_UP])
    deal_id = await new_deal(app, "Lena")
    await move(app, deal_id, "proposal")
    clock.advance(timedelta(seconds=5))  # the clock's next tick
    await tick(app)
    [task] = await rows(app, Task)
    assert task.title == "Follow up: Lena"
    assert [firing.outcome for firing in await rows(app, AutomationFiring)] == ["done", "done"]


async def test_a_delayed_task_is_not_stopped_by_another_delayed_rules_move(
    app: App, clock: ManualClock
) -> None:
    """Two rules a day after a deal enters the offer, one moving it on, the other making a
    follow-up: both act at the same tick, whichever of them goes first."""
    to_invoice = {"type": "move_stage", "stage_id": await stage(app, "invoice")}
    await on_the_offer(app, "On to the invoice", [to_invoice])
    await on_the_offer(app, "Follow up", [FOLLOW_UP])
    deal_id = await new_deal(app, "Lena")
    await move(app, deal_id, "proposal")
    assert await the_task_a_day_later(app, clock) == "Follow up: Lena"
    assert [firing.outcome for firing in await rows(app, AutomationFiring)] == ["done", "done"]
