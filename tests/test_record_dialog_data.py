"""A record's dialogs keep their data typed (RecordDraft, RecordComment, RecordSearch in
handlers.records.states).

"➕ New" pressed on a list while a record's rename was asked kept the rename in the dialog's
data: the new record's name typed next renamed that record instead, and no new one was made.
A new record's, a comment's or a search's data lost (an older version's, a stale state)
answered every message "Something went wrong on my side"; such a dialog is refused once and
ends."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.fsm.state import State

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.records.callbacks import Ent, EntCb
from handlers.records.states import EntFlow
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_link_dialog_data import stored


async def test_new_pressed_while_renaming_makes_a_new_record(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        suppliers = await crm.record_types.create(me, "Supplier", "Suppliers", "🏭")
        ice = await crm.records.create(me, suppliers.id, "IceWorks")
    await owner_en.send("/records")
    [listing] = await owner_en.press("Suppliers")
    [new] = [data for text, data, _u in listing.buttons if text == "➕ New"]
    assert new is not None
    await owner_en.press_data(EntCb(action=Ent.RECORD, kind="record", card=ice.id).pack())
    await owner_en.press("✏️ Rename")
    [asked] = await owner_en.press_data(new)  # the list's, shown before
    assert asked.text == "New Supplier: send its name."
    [card] = await owner_en.send("Frost")
    assert card.text.startswith("🏭 Supplier: Frost\n")
    async with app.crm.open() as crm:
        assert (await crm.records.visible(me, ice.id)).title == "IceWorks"
        assert await crm.record_types.count_records(suppliers.id) == 2


@pytest.mark.parametrize(
    ("step", "data"),
    [
        (EntFlow.record_value, {"title": "Frost", "asking": 5}),  # no type
        (EntFlow.record_title, {"values": {}}),  # neither a type nor a record to rename
        (EntFlow.record_comment, {"record": "IceWorks"}),
        (EntFlow.record_search, {"archived": True}),  # records looked for: no type
    ],
)
async def test_a_lost_record_dialog_is_refused_once_and_ends(
    app: App, owner_en: SimulatedUser, step: State, data: dict[str, Any]
) -> None:
    key = await stored(app, step, data)
    [refused] = await owner_en.send("Frost")
    assert refused.text == "That question is no longer open."
    assert await app.dispatcher.storage.get_state(key) is None
    assert await app.dispatcher.storage.get_data(key) == {}
