"""➕ Add an option with "VIP, Partner" made one option named "VIP, Partner", while a new
field's options split the same text in two. Adding splits it as creating does."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.errors import ErrorCode, InvalidInput
from crm.field_rules import added_options, options_of
from crm.parsing.fields import FieldType
from handlers.records import settings_views as sv
from handlers.records.callbacks import Ent
from tests.client_helpers import member
from tests.conftest import OWNER_ID


@pytest.mark.parametrize(
    ("text", "added"),
    [
        ("VIP", ["VIP"]),
        ("VIP, Partner", ["VIP", "Partner"]),
        ("VIP; Partner\nDealer", ["VIP", "Partner", "Dealer"]),
        (" VIP ,, vip ", ["VIP"]),
    ],
)
def test_added_options_split_as_a_new_field_s(text: str, added: list[str]) -> None:
    assert added_options(["Gold"], text) == added


@pytest.mark.parametrize("text", ["Silver, gold", " , ; "])
def test_added_options_refused_whole(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        added_options(["Gold"], text)
    assert refused.value.code in (ErrorCode.OPTION_TWICE, ErrorCode.EMPTY)


async def test_several_options_added_at_once(app: App, owner_en: SimulatedUser) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        tier = await crm.fields.define(
            me, CardKind.CLIENT, "Tier", FieldType.CHOICE, options=["Gold"]
        )
    press = sv.scb(Ent.OPTION_ADD, "client", 0, tier.id)
    [question] = await owner_en.press_data(press)
    assert "Several may be sent separated by commas." in question.text
    [shown] = await owner_en.send("VIP, Partner")
    assert shown.text.startswith("Added: VIP, Partner\n")
    await owner_en.press_data(press)
    [refused] = await owner_en.send("Silver, gold")
    assert refused.text == "Each option must differ from the others."
    async with app.crm.open() as crm:
        field = await crm.fields.get(tier.id)
    assert [o.name for o in options_of(field)] == ["Gold", "VIP", "Partner"]
    assert len({o.id for o in options_of(field)}) == 3
