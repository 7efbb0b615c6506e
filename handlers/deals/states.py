"""The deal dialogs' steps and what each remembers between them."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from pydantic import Field

from handlers.deals.callbacks import DealField
from handlers.kit.dialog import DialogData


class NewDealFlow(StatesGroup):
    amount = State()
    title = State()
    field = State()  # a required custom field (NewDeal.asking)


class NewDeal(DialogData):
    client_id: int = 0
    name: str | None = None  # the client's, the title when the title is skipped
    amount: int = 0
    title: str | None = None  # as given, while the required custom fields are asked
    custom: dict[str, str] = Field(default_factory=dict)  # required custom fields: id → text
    asking: int = 0  # the custom field asked now

    def values(self) -> dict[int, str]:
        return {int(key): text for key, text in self.custom.items() if key.isdigit()}


class LostFlow(StatesGroup):
    reason = State()


class DealEditFlow(StatesGroup):
    value = State()
    comment = State()


class OneDeal(DialogData):
    """Losing, editing or commenting on one deal: which deal, and which of its fields."""

    deal_id: int = 0
    field: DealField = DealField.NONE


class DealsListFlow(StatesGroup):
    field_range = State()


class FieldRange(DialogData):
    """A range being typed for a deal field filter, over the packed filters ``f``."""

    field_id: int = 0
    f: str = ""
