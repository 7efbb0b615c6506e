"""One action a rule cannot do no longer undoes its others, on every backend: the firing does
what it can, notes each action skipped and why on the firing and the 🤖 timeline line, and the
rule's screen says its last firing skipped it (through the Dispatcher)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.i18n import build_i18n
from bot.simulator import SimulatedUser
from crm.parsing.fields import FieldType
from handlers.kit.automation_texts import automation_event_text
from storage.engine import create_session_factory, write_transaction
from storage.models import AutomationFiring, AutomationRule, ClientTag, Event, Task, User
from storage.models.outbox import OutboxMessage
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, UserFactory
from tests.test_automation_core import add_manager, owner, rows, tick
from tests.test_automation_fields import field, rule, task, task_titles
from tests.test_automation_rule_screen import rule_screen


async def fire_on_a_new_client(app: App, name: str, actions: list[dict[str, Any]]) -> None:
    async with app.crm.open() as crm:
        await crm.automation.add(await owner(crm), name, "client_created", {}, actions)
    await make_client(app, OWNER_ID, "Ivan")
    assert await tick(app) == 1


async def test_round_robin_among_members_who_left_still_creates_the_task(
    app: App, owner_en: SimulatedUser
) -> None:
    gone = await add_manager(app, 501)
    async with app.crm.open() as crm:
        await crm.automation.add(
            await owner(crm),
            "Share and call",
            "client_created",
            {},
            [
                {"type": "round_robin", "members": [gone.id]},
                {"type": "create_task", "title": "Call {client.name}"},
            ],
        )
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        await db.execute(update(User).where(User.id == gone.id).values(active=False))
    client = await make_client(app, OWNER_ID, "Ivan")
    assert await tick(app) == 1
    [task] = await rows(app, Task)
    assert (task.title, task.client_id) == ("Call Ivan", client.id)
    [firing] = await rows(app, AutomationFiring)
    assert firing.outcome == "done"
    assert {"type": "round_robin", "skipped": "no members"} in firing.detail
    [line] = await rows(app, Event, Event.kind == "automation")
    assert {"type": "round_robin", "skipped": "no members"} in line.data["done"]
    text = await rule_screen(owner_en, "Share and call")
    assert "⚠️ Last time it could not assign in turn: no chosen member is active" in text


async def test_a_stage_a_client_cannot_have_leaves_its_tag_on(
    app: App, owner_en: SimulatedUser
) -> None:
    await fire_on_a_new_client(
        app,
        "Tag and move",
        [{"type": "add_tag", "tag": "vip"}, {"type": "move_stage", "stage_id": 1}],
    )
    async with create_session_factory(app.engine)() as db:
        assert list(await db.scalars(select(ClientTag.tag))) == ["vip"]
    [firing] = await rows(app, AutomationFiring)
    assert firing.outcome == "done" and firing.detail[1]["skipped"] == "no deal"
    text = await rule_screen(owner_en, "Tag and move")
    assert "⚠️ Last time it could not move the deal: the card has no deal" in text


async def test_a_firing_whose_every_action_is_skipped_is_skipped_and_says_why(
    app: App, owner_en: SimulatedUser
) -> None:
    await fire_on_a_new_client(app, "Move", [{"type": "move_stage", "stage_id": 1}])
    [firing] = await rows(app, AutomationFiring)
    assert firing.outcome == "skipped"
    assert firing.detail == [{"type": "move_stage", "skipped": "no deal"}]
    assert await rows(app, Event, Event.kind == "automation") == []
    text = await rule_screen(owner_en, "Move")
    assert "⚠️ Last time it could not move the deal: the card has no deal" in text


async def test_a_value_that_no_longer_fits_its_field_is_skipped_and_the_task_made(
    app: App, owner_en: SimulatedUser
) -> None:
    seats = await field(app, "Seats", FieldType.NUMBER)
    await rule(app, "client_created", {}, {"type": "set_field", "field_id": seats, "value": "3"})
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        [stored] = list(await db.scalars(select(AutomationRule)))
        # as a rule saved before the field's values were checked holds it
        stored.actions = [
            {"type": "set_field", "field_id": seats, "value": "many"},
            task("Call {client.name}"),
        ]
    await make_client(app, OWNER_ID, "Anna")
    assert await tick(app) == 1
    assert await task_titles(app) == ["Call Anna"]
    [firing] = await rows(app, AutomationFiring)
    assert firing.detail[0] == {"type": "set_field", "skipped": "value does not fit"}
    text = await rule_screen(owner_en, "Rule")
    assert "⚠️ Last time it could not fill in a field: the value no longer fits the field" in text


async def test_a_message_to_the_group_with_no_group_bound_is_skipped_and_said(
    app: App, owner_en: SimulatedUser, user: UserFactory
) -> None:
    """Told to no one, it was "done": the firing counted, the rule's screen said nothing."""
    to_the_group = {"type": "notify", "to": "group", "text": "New lead {client.name}"}
    await fire_on_a_new_client(app, "Tell the team", [to_the_group, task("Call {client.name}")])
    assert await task_titles(app) == ["Call Ivan"]
    [firing] = await rows(app, AutomationFiring)
    assert firing.detail[0] == {"type": "notify", "skipped": "no group chat"}
    assert await rows(app, OutboxMessage) == []  # (the task's reminder is not due yet)
    text = await rule_screen(owner_en, "Tell the team")
    assert (
        "⚠️ Last time it could not send a message: no group chat is bound: add me to the "
        "team's group and send /bind there" in text
    )
    async with app.crm.open() as crm:
        await crm.members.set_language(await owner(crm), "ru")
    text = await rule_screen(user(OWNER_ID, language_code="ru"), "Tell the team", "Автоматизация")
    assert "не удалось отправить сообщение: группа не привязана" in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "🤖 «R»: could not assign in turn: no chosen member is active; task «Call»"),
        (
            "ru",
            "🤖 «R»: не удалось назначить по очереди: никто из выбранных сотрудников больше "
            "не работает; задача «Call»",
        ),
    ],
)
def test_the_timeline_line_says_what_was_skipped_and_why(language: str, expected: str) -> None:
    i18n = build_i18n("ru")
    done = [
        {"type": "round_robin", "skipped": "no members"},
        {"type": "create_task", "title": "Call"},
    ]
    with i18n.context(), i18n.use_locale(language):
        assert automation_event_text({"rule": "R", "done": done}, {}) == expected
