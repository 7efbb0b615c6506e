"""The dialogs of this feature and the data they keep between messages."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class EntFlow(StatesGroup):
    value = State()  # data: kind, card, field
    link_search = State()  # data: kind, card, target ("client", "deal" or a type id)
    link_quantity = State()  # data: kind, card, other_kind, other
    record_title = State()  # data: type_id
    record_value = State()  # data: type_id, title, values {field id: text}, asking
    field_name = State()  # data: kind, type_id
    field_options = State()  # data: kind, type_id, name, type
    type_names = State()


KIND_CODES = ("client", "deal", "record")
