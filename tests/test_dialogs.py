"""The one dialog-data base: typed fields through JSON, malformed fields read as defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from handlers.kit.dialogs import DialogData


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"
    NONE = ""


@dataclass
class Step(DialogData):
    record_id: int = 0
    title: str | None = None
    due: datetime | None = None
    day: date | None = None
    colour: Colour = Colour.NONE
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Frozen(DialogData):
    name: str = ""
    quick: bool = False


class JsonStorage(MemoryStorage):
    """Keeps the data as JSON text, as the Redis storage of several instances does."""

    async def set_data(self, key: StorageKey, data: Any) -> None:
        await super().set_data(key, {"json": json.dumps(data)})

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        stored = await super().get_data(key)
        return dict(json.loads(stored["json"])) if "json" in stored else {}


def context(storage: BaseStorage) -> FSMContext:
    return FSMContext(storage, StorageKey(bot_id=1, chat_id=2, user_id=2))


@pytest.mark.parametrize("storage", [MemoryStorage, JsonStorage])
async def test_every_kind_of_field_comes_back_as_it_was_saved(storage: type[BaseStorage]) -> None:
    state = context(storage())
    await state.update_data({"list_filters": "abc"})  # another feature's key
    saved = Step(
        record_id=7,
        title="Call back",
        due=datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
        day=date(2026, 3, 3),
        colour=Colour.BLUE,
        tags=["a", "b"],
    )
    await saved.save(state)
    assert await Step.load(state) == saved
    assert (await state.get_data())["list_filters"] == "abc"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, Step()),
        ({"record_id": "x", "title": "kept"}, Step(title="kept")),
        ({"due": "not a time", "colour": "green", "record_id": 3}, Step(record_id=3)),
        ({"tags": "not a list", "day": "2026-03-03"}, Step(day=date(2026, 3, 3))),
        ({"title": None, "other_dialog": 5}, Step()),
    ],
)
def test_a_malformed_field_reads_as_its_default(stored: dict[str, Any], expected: Step) -> None:
    assert Step.read(stored) == expected


async def test_a_frozen_dialog_is_changed_with_replace_and_dropped_once() -> None:
    state = context(MemoryStorage())
    await state.update_data({"page": 2})
    await Frozen(name="Ivan").save(state)
    await replace(await Frozen.load(state), quick=True).save(state)
    assert await Frozen.drop(state) == Frozen(name="Ivan", quick=True)
    assert await Frozen.load(state) == Frozen()
    assert await state.get_data() == {"page": 2}


def test_a_dialog_that_is_not_a_dataclass_is_a_mistake_said_at_once() -> None:
    class Plain(DialogData):
        name: str = ""

    with pytest.raises(TypeError, match="must be a @dataclass"):
        Plain.read({})
