"""kit.refused: what a dialog does on a refusal before ``Refusals`` tells it."""

from __future__ import annotations

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from crm.errors import Conflict, CrmError, InvalidInput, NotAllowed
from handlers.kit.refused import keep_asking, on_refusal


class Asking(StatesGroup):
    name = State()


async def asking() -> FSMContext:
    state = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=2, user_id=2))
    await state.set_state(Asking.name)
    await state.update_data({"filters": "abc"})
    return state


@pytest.mark.parametrize(
    ("error", "forget", "step", "data"),
    [
        (InvalidInput("too_long", limit=60), False, Asking.name.state, {"filters": "abc"}),
        (InvalidInput("empty"), True, Asking.name.state, {"filters": "abc"}),
        (Conflict("stage_gone"), False, None, {"filters": "abc"}),
        (NotAllowed(), True, None, {}),
    ],
)
async def test_a_refused_answer_is_asked_again_or_ends_the_step(
    error: CrmError, forget: bool, step: str | None, data: dict[str, str]
) -> None:
    state = await asking()
    with pytest.raises(CrmError) as told:  # on to Refusals, which tells it
        async with keep_asking(state, again={"too_long", "empty"}, forget=forget):
            raise error
    assert told.value is error
    assert await state.get_state() == step
    assert await state.get_data() == data


async def test_an_answer_taken_changes_nothing() -> None:
    state = await asking()
    async with keep_asking(state, again=()):
        pass
    assert await state.get_state() == Asking.name.state


async def test_on_refusal_runs_before_the_refusal_goes_on() -> None:
    seen: list[str] = []

    async def then(error: CrmError) -> None:
        seen.append(error.code)

    with pytest.raises(Conflict):
        async with on_refusal(then):
            raise Conflict("reason_gone")
    async with on_refusal(then):
        pass
    with pytest.raises(ValueError):  # not a refusal: not this helper's business
        async with on_refusal(then):
            raise ValueError("boom")
    assert seen == ["reason_gone"]
