"""A dialog's data as a typed object, kept in the FSM storage between messages.

Each dialog declares a frozen dataclass of JSON-safe fields (str, int, bool, their
``| None``, lists of str) with defaults, and reads and writes it with ``load`` and
``save``: no raw ``get_data()``/``update_data()`` dictionaries in the handlers. Other
keys in the storage (another dialog's, the client lists' filters) are left alone.
Whatever was stored malformed reads as the field's default.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Self

from aiogram.fsm.context import FSMContext


@dataclasses.dataclass(frozen=True)
class DialogData:
    async def save(self, state: FSMContext) -> None:
        """Write every field of this object (the other keys of the storage stay)."""
        await state.update_data(dataclasses.asdict(self))

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        return cls.read(await state.get_data())

    @classmethod
    def read(cls, data: dict[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            if item.name in data and _fits(data[item.name], _default(item)):
                values[item.name] = data[item.name]
        return cls(**values)

    @classmethod
    async def drop(cls, state: FSMContext) -> Self:
        """Read this object and remove its keys from the storage (so it is used once)."""
        data = await state.get_data()
        names = {item.name for item in dataclasses.fields(cls)}
        await state.set_data({key: value for key, value in data.items() if key not in names})
        return cls.read(data)


def _default(item: dataclasses.Field[Any]) -> Any:
    if item.default is not dataclasses.MISSING:
        return item.default
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    return None


def _fits(value: Any, default: Any) -> bool:
    """Whether a stored value has the kind of the field's default (None fits anything)."""
    if value is None or default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return type(value) is type(default)
    return isinstance(value, type(default))
