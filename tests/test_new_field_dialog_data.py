"""/settings → a new field's steps keep their data typed (handlers.records.states.NewField).

"➕ Add a field" pressed again (on an older list) asks the name anew and forgets the one
typed before: an older type button pressed then made a field of the forgotten name without
a word; it is refused now, and the name typed next is taken. A dialog whose data was lost
(stored by an older version) answered every message "Something went wrong on my side"; it
is refused once and ends."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from handlers.records.states import EntFlow
from tests.conftest import OWNER_ID

INACTIVE = "This button is no longer active."


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


async def test_a_new_field_s_lost_data_ends_the_dialog(app: App, owner_en: SimulatedUser) -> None:
    key = StorageKey(bot_id=app.bot.id, chat_id=OWNER_ID, user_id=OWNER_ID)
    storage = app.dispatcher.storage
    await storage.set_state(key, EntFlow.field_options)
    await storage.set_data(key, {"kind": "client", "type_id": 0, "name": "Tier"})  # no type

    [refused] = await owner_en.send("Gold, Silver")
    assert refused.text == INACTIVE
    assert await storage.get_state(key) is None
    assert await storage.get_data(key) == {}
    assert await field_names(app) == []
