"""A dialog's data as a typed object, kept in the FSM storage between messages.

Each dialog declares a dataclass (frozen, or not if its handlers change it in place)
that inherits ``DialogData``, with a default for every field, and reads and writes
it with ``load`` and ``save``: no raw ``get_data()``/``update_data()`` dictionaries in
the handlers. Fields may be of any type pydantic reads from JSON (str, int, bool,
dates and times, enums, lists, their ``| None``): they are stored as JSON, so the
Redis storage of several instances keeps them as well as the memory one.

Other keys in the storage (another dialog's, the client lists' filters) are left
alone. A field stored malformed (an old version of the dialog, a stale state)
reads as its default; the other fields keep their values.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, NoReturn, Self, cast

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from pydantic import TypeAdapter, ValidationError

from crm.errors import ErrorCode, InvalidInput

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class DialogData:
    """The base of a dialog's data; a subclass is a ``@dataclass`` with defaults."""

    async def save(self, state: FSMContext) -> None:
        """Write every field of this object (the other keys of the storage stay)."""
        await state.update_data(_adapter(type(self)).dump_python(self, mode="json"))

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        return cls.read(await state.get_data())

    @classmethod
    def read(cls, data: dict[str, Any]) -> Self:
        names = _names(cls)
        values = {key: value for key, value in data.items() if key in names}
        adapter = _adapter(cls)
        while True:
            try:
                return cast(Self, adapter.validate_python(values))
            except ValidationError as error:
                wrong = {item["loc"][0] for item in error.errors() if item["loc"]}
                if not wrong & values.keys():
                    raise  # not a stored value's fault: the dataclass lacks a default
                for key in wrong:
                    values.pop(str(key), None)

    @classmethod
    async def drop(cls, state: FSMContext) -> Self:
        """Read this object and remove its keys from the storage (so it is used once)."""
        data = await state.get_data()
        names = _names(cls)
        await state.set_data({key: value for key, value in data.items() if key not in names})
        return cls.read(data)


_ADAPTERS: dict[type[DialogData], TypeAdapter[Any]] = {}


def _adapter(cls: type[DialogData]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a @dataclass to be a dialog's data")
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def _names(cls: type[DialogData]) -> frozenset[str]:
    _adapter(cls)  # said at once when the dialog's data is not a dataclass
    return frozenset(item.name for item in dataclasses.fields(cast("type[DataclassInstance]", cls)))


async def leave_step(state: FSMContext, *steps: State) -> None:
    """End the dialog if it waits in one of ``steps``: a button pressed on an older screen
    (a time zone under the question for it) ends its own question, and no other dialog
    begun since (a new client's name asked) in the chat."""
    if await state.get_state() in {step.state for step in steps}:
        await state.set_state(None)


class DialogLost(InvalidInput):
    """A dialog's data lost: told "This button is no longer active." on a press, and "That
    question is no longer open." to a typed message (``handlers.kit.presses``)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.BAD_CARD)


async def data_lost(state: FSMContext) -> NoReturn:
    """End a dialog whose data is missing what its step needs (stored by an older version,
    a stale state): refused once (``DialogLost``), not at every message."""
    await state.clear()
    raise DialogLost
