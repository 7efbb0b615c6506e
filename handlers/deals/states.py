"""The deal dialogs' steps and what each remembers between them."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.state import State, StatesGroup

from handlers.deals.callbacks import DealField
from handlers.kit.dialogs import DialogData


class NewDealFlow(StatesGroup):
    amount = State()
    title = State()
    field = State()  # a required custom field (NewDeal.asking)


@dataclass
class NewDeal(DialogData):
    client_id: int = 0
    name: str | None = None  # the client's, the title when the title is skipped
    amount: int = 0
    title: str | None = None  # as given, while the required custom fields are asked
    custom: tuple[tuple[int, str], ...] = ()  # required custom fields: (id, text)
    asking: int = 0  # the custom field asked now
    open_card: str | None = None  # made for the open card's client (/deal …): its name

    def values(self) -> dict[int, str]:
        return dict(self.custom)


class LostFlow(StatesGroup):
    reason = State()


class DealEditFlow(StatesGroup):
    value = State()
    comment = State()
    client = State()  # a search for the client to move the deal to


@dataclass
class OneDeal(DialogData):
    """Losing, editing or commenting on one deal: which deal, and which of its fields."""

    deal_id: int = 0
    field: DealField = DealField.NONE
    at: int = 0  # losing: the stage it was on when asked (moved since: refused)
