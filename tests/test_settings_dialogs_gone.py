"""The owner's field and record type dialogs in /settings, when what they are about is
deleted meanwhile (from another device, by an admin): every message after was refused
("This field no longer exists.") until /cancel. The first answer is refused with why and
the dialog ends; a wrong answer before (a name taken) is still asked again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from crm.service import Crm
from handlers.records import settings_views as sv
from handlers.records.callbacks import Ent
from storage.models import User
from tests.client_helpers import member
from tests.conftest import OWNER_ID

FIELD_GONE = "This field no longer exists."
TYPE_GONE = "This record type no longer exists."
CHOICE = sv.FIELD_TYPES.index(FieldType.CHOICE)


@dataclass(frozen=True)
class Case:
    steps: list[str | tuple[str, str | None]]  # before the deletion: a button's data, or
    # a text sent with the refusal it gets (None: not refused)
    answer: str  # the first answer after it
    refusal: str
    delete: Callable[[Crm], Awaitable[object]]


async def rename_field(crm: Crm, me: User) -> Case:
    await crm.fields.define(me, CardKind.CLIENT, "Birthday", FieldType.DATE)
    note = await crm.fields.define(me, CardKind.CLIENT, "Note", FieldType.TEXT)
    taken = ("birthday", "There is a field named “birthday” already.")
    press = sv.scb(Ent.FIELD_RENAME, "client", 0, note.id)
    return Case([press, taken], "Notes", FIELD_GONE, lambda c: c.fields.delete(me, note.id))


async def add_option(crm: Crm, me: User) -> Case:
    tier = await crm.fields.define(me, CardKind.CLIENT, "Tier", FieldType.CHOICE, options=["Gold"])
    twice = ("gold", "Each option must differ from the others.")
    press = sv.scb(Ent.OPTION_ADD, "client", 0, tier.id)
    return Case([press, twice], "Bronze", FIELD_GONE, lambda c: c.fields.delete(me, tier.id))


async def new_field_options(crm: Crm, me: User) -> Case:
    kind = await crm.record_types.create(me, "Supplier", "Suppliers", "🏭")
    steps: list[str | tuple[str, str | None]] = [
        sv.scb(Ent.ADD_FIELD, "record", kind.id),
        ("Colour", None),
        sv.scb(Ent.FIELD_TYPE, "record", kind.id, CHOICE),
        (" , ; ", "A list field needs at least one option."),
    ]
    return Case(steps, "red", TYPE_GONE, lambda c: c.record_types.delete(me, kind.id))


async def new_field_name(crm: Crm, me: User) -> Case:
    kind = await crm.record_types.create(me, "Supplier", "Suppliers", "🏭")
    press = sv.scb(Ent.ADD_FIELD, "record", kind.id)
    return Case([press], "Colour", TYPE_GONE, lambda c: c.record_types.delete(me, kind.id))


@pytest.mark.parametrize("made", [rename_field, add_option, new_field_options, new_field_name])
async def test_a_settings_dialog_ends_when_its_subject_is_deleted(
    app: App, owner_en: SimulatedUser, made: Callable[[Crm, User], Awaitable[Case]]
) -> None:
    async with app.crm.open() as crm:
        case = await made(crm, await member(app, OWNER_ID))
    for step in case.steps:
        if isinstance(step, str):
            await owner_en.press_data(step)
            continue
        answers = await owner_en.send(step[0])
        assert step[1] is None or [sent.text for sent in answers] == [step[1]]
    async with app.crm.open() as crm:
        await case.delete(crm)
    assert [sent.text for sent in await owner_en.send(case.answer)] == [case.refusal]
    later = await owner_en.send("Call Ivan back tomorrow")  # no longer the dialog's answer
    assert all(case.refusal not in sent.text for sent in later)
