"""A card's link search, a deal line's quantity and a card's field's value keep their data
typed (LinkSearch, LinkLine, FieldValue in handlers.records.states). Their data lost (stored
by an older version, a stale state) made every message, and "Link without a quantity",
answer "Something went wrong on my side"; such a dialog is refused once and ends."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StorageKey

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.records.callbacks import Ent, EntCb
from handlers.records.states import EntFlow
from tests.conftest import OWNER_ID

INACTIVE = "This button is no longer active."
CLOSED = "That question is no longer open."  # said to a typed message
WITHOUT_QUANTITY = EntCb(action=Ent.LINK_PICK, kind="deal", card=7, type_id=0, item=0).pack()


async def stored(app: App, step: State, data: dict[str, Any]) -> StorageKey:
    key = StorageKey(bot_id=app.bot.id, chat_id=OWNER_ID, user_id=OWNER_ID)
    await app.dispatcher.storage.set_state(key, step)
    await app.dispatcher.storage.set_data(key, data)
    return key


@pytest.mark.parametrize(
    ("step", "data"),
    [
        (EntFlow.link_search, {"kind": "client", "card": 7}),  # no target
        (EntFlow.link_search, {"kind": "contact", "card": 7, "target": -2}),
        (EntFlow.link_quantity, {"kind": "deal", "card": 7, "other_kind": "record"}),
        (EntFlow.value, {"kind": "deal", "card": 7}),  # a card's field's value: no field
    ],
)
async def test_a_lost_link_dialog_is_refused_once_and_ends(
    app: App, owner_en: SimulatedUser, step: State, data: dict[str, Any]
) -> None:
    key = await stored(app, step, data)
    [refused] = await owner_en.send("2")
    assert refused.text == CLOSED
    assert await app.dispatcher.storage.get_state(key) is None
    assert await app.dispatcher.storage.get_data(key) == {}


async def test_link_without_a_quantity_of_a_lost_dialog(app: App, owner_en: SimulatedUser) -> None:
    key = await stored(app, EntFlow.link_quantity, {"kind": "deal", "card": 7})
    await owner_en.press_data(WITHOUT_QUANTITY)
    assert owner_en.alert == INACTIVE
    assert await app.dispatcher.storage.get_state(key) is None


async def test_a_lost_dialog_answers_a_typed_message_in_russian(
    app: App, owner: SimulatedUser
) -> None:
    """A typed text is no button: told the question is closed, in the member's language."""
    key = await stored(app, EntFlow.link_quantity, {"kind": "deal", "card": 7})
    [refused] = await owner.send("2")
    assert refused.text == "Этот вопрос уже закрыт."
    assert await app.dispatcher.storage.get_state(key) is None
