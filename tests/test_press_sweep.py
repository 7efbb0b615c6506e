"""Every button of every feature, pressed with forged data by every kind of presser.

For each ``CallbackData`` of ``handlers/`` and each value of its action, a press with
the ids of a manager's own records, with ids that name nothing, with zeros, and with an
action that does not exist, by a stranger, another manager, the manager and the owner.
Each press is answered, with words or a screen, and none with the generic error (an
exception that escaped a handler), and no screen has a way back with its arrow twice.
Presses that change or delete come last, so the others find the records there. (A deeper
sweep, with odd strings and the ids of every record of every presser, takes minutes and
is kept out of the suite.)
"""

from __future__ import annotations

import enum
import importlib
import logging
import pkgutil
import re
import types
import typing
from collections.abc import Iterator

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _

import handlers
from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from crm.parsing.lead_fields import read_form
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, START, Joiner, UserFactory

MANAGER, OTHER, STRANGER = 6101, 6102, 6109
MISSING = 999_999
GENERIC = "Something went wrong on my side; nothing was changed. Please try again."
# Presses that change what the others would press on: after every other press.
CHANGING = re.compile(r"delete|yes|off|remove|spam|done|cancel|archive|undo|take|unlink|set_")
TEAM = ("team", "hand", "inv")  # the team's own changes: last of all


def button_classes() -> list[type[CallbackData]]:
    for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
        importlib.import_module(module.name)

    def subclasses(cls: type[CallbackData]) -> Iterator[type[CallbackData]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return list(dict.fromkeys(subclasses(CallbackData)))


def plain(annotation: object) -> object:
    """``int`` of ``Annotated[int, ...] | None`` and the like."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def presses(cls: type[CallbackData], ids: dict[str, object]) -> Iterator[tuple[bool, str]]:
    """(changes, data): each action with the manager's ids, missing ids, zeros; a bogus one."""
    names = list(cls.model_fields)
    action: str | None = None
    values: list[str] = [""]
    base: dict[str, str] = {}
    numbers = []
    for name, info in cls.model_fields.items():
        kind = plain(info.annotation)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            if action is None:
                action, values = name, [str(v.value) for v in kind]
            else:
                base[name] = str(next(iter(kind)).value)
        elif kind is bool:
            base[name] = "0"
        elif kind is int:
            base[name] = str(ids.get(name, 1))
            numbers.append(name)
        else:
            base[name] = str(ids.get(name, ""))
    for value in [*values, "bogus"]:
        row = {**base, action: value} if action else base
        for numbered in ({}, dict.fromkeys(numbers, str(MISSING)), dict.fromkeys(numbers, "0")):
            data = ":".join([cls.__prefix__] + [{**row, **numbered}[n] for n in names])
            changes = cls.__prefix__ in TEAM or bool(CHANGING.search(value))
            if len(data.encode()) <= 64:
                yield changes, data


async def world(app: App, join: Joiner, owner: SimulatedUser) -> dict[str, object]:
    """The manager's client, deal, task and note; a record type, record, field, template,
    rule, lead source and lead; another manager; the ids by the buttons' field names."""
    await join(MANAGER, "manager", "Mila", language_code="en")
    await join(OTHER, "manager", "Boris", language_code="ru")
    client = await make_client(app, MANAGER, "Mila's client")
    async with app.crm.open() as crm:
        me, mila = await member(app, OWNER_ID), await member(app, MANAGER)
        deal = await crm.deals.create(mila, client.id, 100_000, "Supply")
        task = await crm.tasks.create(mila, "Call", START.replace(day=5), client_id=client.id)
        note = await crm.timeline.comment(mila, client.id, "Called")
        stage = (await crm.pipelines.stages())[1].id
        field = await crm.fields.define(me, CardKind.DEAL, "Size", FieldType.CHOICE, options=["S"])
        kind = await crm.record_types.create(me, "Product", "Products")
        record = await crm.records.create(me, kind.id, "Salt")
        template = await crm.templates.add_text(me, "Offer", "Hello {client.name}")
        task_action = {"type": "create_task", "title": "Call", "due_minutes": 0}
        rule = await crm.automation.add(
            me, "Rule", "client_created", {}, [{**task_action, "assignee": "responsible"}]
        )
        source = await crm.lead_sources.create(me, "Site", open_deal=True)
        lead = await crm.intake.accept_form(source.token, read_form([("name", "Lead")]))
    return {
        **dict.fromkeys(("client_id", "record_id"), client.id),
        **dict.fromkeys(("member_id", "member", "who", "to", "number"), MANAGER),
        "deal_id": deal.id,
        "task_id": task.id,
        "ref": note.id,
        "item_id": stage,
        "stage_id": stage,
        "field_id": field.id,
        "type_id": kind.id,
        "card": record.id,
        "kind": "record",
        "template_id": template.id,
        "rule_id": rule.id,
        "source_id": source.source.id,
        "lead_id": lead.lead_id,
        "chat_id": OWNER_ID,
        "code": "hot",
        "topic": "new_deal",
        "language": "en",
        "zone": "Europe/Moscow",
    }


@pytest.fixture(autouse=True)
def _errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="bot.app")


async def test_every_button_forged_every_way_is_answered_and_never_fails(
    app: App,
    owner: SimulatedUser,
    join: Joiner,
    user: UserFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = await world(app, join, owner)
    with app.i18n.context(), app.i18n.use_locale("ru"):
        generic = {GENERIC, _(GENERIC)}
    pressers = [
        user(STRANGER, "Sam", language_code="en"),
        user(OTHER, "Boris", language_code="ru"),
        user(MANAGER, "Mila", language_code="en"),
        owner,
    ]
    queue = sorted(
        (changes, cls.__prefix__ in TEAM, data)
        for cls in button_classes()
        for changes, data in presses(cls, ids)
    )
    failed: list[tuple[str, str, object]] = []
    for _changes, _team, data in queue:
        for presser in pressers:
            shown = await presser.press_data(data)  # raises if the press is not answered
            if presser.alert in generic or caplog.records:
                failed.append((presser.user.first_name, data, caplog.records[:1]))
                caplog.clear()
            elif not presser.alert and not shown:
                failed.append((presser.user.first_name, data, "answered with silence"))
            doubled = [t for sent in shown for t, _d, _u in sent.buttons if "◀️ ◀️" in t]
            if doubled:  # a way back labelled with its arrow twice
                failed.append((presser.user.first_name, data, doubled))
    assert failed == []
    assert len(queue) > 500  # every feature's buttons were found
