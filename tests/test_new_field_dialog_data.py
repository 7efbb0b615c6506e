"""/settings → a new field's steps keep their data typed (handlers.records.states.NewField).

"➕ Add a field" pressed again (on an older list) asks the name anew and forgets the one
typed before: an older type button pressed then made a field of the forgotten name without
a word; it is refused now, and the name typed next is taken. A dialog whose data was lost
(stored by an older version), and a new record type's plural asked with its singular lost,
answered every message "Something went wrong on my side"; it is refused once and ends."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.fsm.state import State

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from handlers.records.states import EntFlow
from tests.test_link_dialog_data import stored

INACTIVE = "This button is no longer active."
CLOSED = "That question is no longer open."  # said to a typed message


async def client_fields(owner: SimulatedUser) -> None:
    await owner.send("/settings")
    await owner.press("Fields and record types")
    await owner.press("Client fields")


async def field_names(app: App) -> list[str]:
    async with app.crm.open() as crm:
        return [field.name for field in await crm.fields.of(CardKind.CLIENT)]


async def test_add_pressed_again_forgets_the_name_typed_before(
    app: App, owner_en: SimulatedUser
) -> None:
    await client_fields(owner_en)
    older_list = owner_en.last_message()
    await client_fields(owner_en)
    await owner_en.press("➕ Add a field")
    [types] = await owner_en.send("Mobile line")
    assert types.text == "Choose the field's type."
    await owner_en.press("➕ Add a field", older_list)
    assert older_list.text == "Send the new field's name."

    await owner_en.press("text", types)  # the type of the name asked no longer
    assert owner_en.alert == INACTIVE
    assert await field_names(app) == []
    [types] = await owner_en.send("Landline")
    await owner_en.press("text", types)
    assert await field_names(app) == ["Landline"]


async def test_an_older_type_screen_of_another_card_kind_is_refused(
    app: App, owner_en: SimulatedUser
) -> None:
    """A client field's type screen left above, a deal field's name typed: its "text"
    made a client field of the name typed for deals. It is refused; the deal's screen works."""
    await client_fields(owner_en)
    await owner_en.press("➕ Add a field")
    [for_clients] = await owner_en.send("Mobile line")
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Deal fields")
    await owner_en.press("➕ Add a field")
    [for_deals] = await owner_en.send("Region")

    await owner_en.press("text", for_clients)
    assert owner_en.alert == INACTIVE
    assert await field_names(app) == []
    await owner_en.press("text", for_deals)
    async with app.crm.open() as crm:
        assert [field.name for field in await crm.fields.of(CardKind.DEAL)] == ["Region"]


@pytest.mark.parametrize(
    ("step", "data"),
    [
        (EntFlow.field_options, {"kind": "client", "type_id": 0, "name": "Tier"}),  # no type
        (EntFlow.field_name, {"kind": "contact"}),
        (EntFlow.type_plural, {"emoji": "🏭"}),  # a new record type's plural: no singular
        # a type's rename of no type: one name typed asked the plural, then made a new type
        (EntFlow.renaming, {"what": "type", "kind": "record", "type_id": "lost"}),
        # a rename of nothing known (what): a typed text is told the question is closed
        (EntFlow.renaming, {"what": "lost"}),
    ],
)
async def test_a_lost_settings_dialog_ends(
    app: App, owner_en: SimulatedUser, step: State, data: dict[str, Any]
) -> None:
    key = await stored(app, step, data)
    [refused] = await owner_en.send("Gold, Silver")
    assert refused.text == CLOSED
    assert await app.dispatcher.storage.get_state(key) is None
    assert await app.dispatcher.storage.get_data(key) == {}
    assert await field_names(app) == []
    async with app.crm.open() as crm:
        assert await crm.record_types.all(include_archived=True) == []
