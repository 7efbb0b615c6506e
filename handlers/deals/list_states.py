"""/deals filtered by custom fields: the range being typed, and the filters it adds to."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.state import State, StatesGroup

from handlers.kit.dialogs import DialogData


class DealsListFlow(StatesGroup):
    field_range = State()


@dataclass(frozen=True)
class FieldRange(DialogData):
    """A range being typed for a deal field filter, over the packed filters ``f``."""

    field_id: int = 0
    f: str = ""
