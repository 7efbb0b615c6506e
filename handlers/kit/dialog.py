"""A dialog's data as a typed object instead of the raw FSM dict."""

from __future__ import annotations

from typing import Self

from aiogram.fsm.context import FSMContext
from pydantic import BaseModel, ValidationError


class DialogData(BaseModel):
    """What a dialog remembers between its steps. Subclass with the fields (with defaults)."""

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        """The dialog's data; defaults where it holds nothing usable (a stale or empty state)."""
        try:
            return cls.model_validate(await state.get_data())
        except ValidationError:
            return cls()

    async def save(self, state: FSMContext) -> None:
        await state.set_data(self.model_dump(mode="json"))
