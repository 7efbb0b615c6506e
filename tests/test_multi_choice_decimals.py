"""A field of several from a list whose options hold a decimal comma ("0,5 л", "1,5 л"),
as the owner may type them (``split_options`` keeps "1,5" whole): a value typed on a card
was split at every comma, so "1,5 л" chose the first option and "5 л", a wrong value
saved without a word. Options are read as the owner's list is: a comma between digits
parts nothing; "1,2" (no option of that name) still chooses the first and the second."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType, Option, parse_value
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

BOTTLES = (Option(1, "0,5 л"), Option(2, "1,5 л"), Option(3, "5 л"), Option(4, "Тара 1,5"))


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("1,5 л", (2,)),
        ("0,5 л, 1,5 л", (1, 2)),
        ("0,5 л,1,5 л; 5 л", (1, 2, 3)),
        ("тара 1,5, 5 л", (4, 3)),
        ("1,2", (1, 2)),  # numbers of the options, typed without a space
        ("1, 3", (1, 3)),
        ("5 л\n0,5 л", (3, 1)),
    ],
)
def test_options_with_a_decimal_comma_are_read_whole(typed: str, chosen: tuple[int, ...]) -> None:
    assert parse_value(FieldType.MULTI_CHOICE, typed, BOTTLES).option_ids == chosen


async def test_a_bottle_of_one_and_a_half_litres_typed_on_a_card(
    app: App, owner: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Аква")
    async with app.crm.open() as crm:
        await crm.fields.define(
            await member(app, OWNER_ID), CardKind.CLIENT, "Объём", FieldType.MULTI_CHOICE,
            options=["0,5 л", "1,5 л", "5 л"],
        )  # fmt: skip
    await owner.press_data(EntCb(action=Ent.FIELDS, kind="client", card=client.id).pack())
    await owner.press("✏️ Объём")
    [fields] = await owner.send("1,5 л")
    assert "• Объём: 1,5 л" in fields.text.splitlines()
