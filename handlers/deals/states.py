"""The deal dialogs' steps and what each remembers between them."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup

from handlers.deals.callbacks import DealField
from handlers.kit.dialog import DialogData


class NewDealFlow(StatesGroup):
    amount = State()
    title = State()


class NewDeal(DialogData):
    client_id: int = 0
    name: str | None = None  # the client's, the title when the title is skipped
    amount: int = 0


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
