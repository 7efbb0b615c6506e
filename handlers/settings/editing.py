"""What the owner's edited lists share: the pipeline's stages and the lost reasons
(and the client statuses' list screen).

Each is a list screen (a title, a note on what was just done, how to use it, a
button per item, the way back), an item's screen, a text asked for (a new item, a
new name, a number) with a second chance, and a confirmation before deleting.
Only the owner gets in, whatever a (forged) button says; a press about an item
deleted meanwhile (another press, another device) says so and takes the screen
back to its list. Every press also ends a text prompt left open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_list

from crm.errors import CrmError, NotAllowed
from crm.team_settings import can_change_settings
from handlers.kit.refused import keep_asking, on_refusal
from handlers.kit.screen import show
from handlers.settings.states import PipelineFlow, PipelineItem
from storage.models import User

Screen = tuple[Text, InlineKeyboardMarkup]
Item = TypeVar("Item")

SECOND_CHANCE = frozenset({"empty", "too_long", "bad_stale_days", "reason_taken"})


class NotOwner(Filter):
    """Everyone but the owner: they get a refusal, whatever the (forged) button says."""

    async def __call__(self, event: CallbackQuery, member: User | None = None) -> bool:
        return member is None or not can_change_settings(member)


async def refuse(callback: CallbackQuery) -> None:
    """The press of someone who is not the owner (``Refusals`` tells them)."""
    raise NotAllowed()


def list_screen(
    title: str, intro: str, rows: list[list[InlineKeyboardButton]], note: str | None = None
) -> Screen:
    """A list: its title, what was just done (if anything), how to use it, its buttons."""
    lines: list[Text | str] = [Bold(title)]
    if note:
        lines.append(note)
    lines.append(intro)
    return as_list(*lines), InlineKeyboardMarkup(inline_keyboard=rows)


def confirmation(question: str, yes: InlineKeyboardButton, back: InlineKeyboardButton) -> Screen:
    return Text(question), InlineKeyboardMarkup(inline_keyboard=[[yes], [back]])


async def leave_prompt(state: FSMContext) -> None:
    """A press anywhere in these screens ends a pending name or number prompt."""
    if await state.get_state() in PipelineFlow.__all_states_names__:
        await state.set_state(None)


async def ask(
    callback: CallbackQuery, state: FSMContext, step: State, prompt: Screen, item_id: int = 0
) -> None:
    """Show a prompt and take the next text as its answer, about ``item_id`` (0: a new one)."""
    await state.set_state(step)
    await PipelineItem(pipeline_item=item_id).save(state)
    await show(callback, *prompt)


async def asked_item(state: FSMContext) -> int:
    return (await PipelineItem.load(state)).pipeline_item


def back_to_list(
    callback: CallbackQuery, gone: str, to_list: Callable[[], Awaitable[Screen]]
) -> AbstractAsyncContextManager[None]:
    """Around a press about one item: refused as ``gone``, the screen shows the list again
    (then the refusal is told, as every refusal is)."""

    async def then(error: CrmError) -> None:
        if error.code == gone:
            await show(callback, *await to_list())

    return on_refusal(then)


async def typed_name(
    message: Message,
    state: FSMContext,
    renaming: State,
    rename: Callable[[int, str], Awaitable[Item]],
    add: Callable[[str], Awaitable[Item]],
) -> tuple[Item, bool]:
    """The answer to a name prompt: the item renamed (True) or added (False).

    A name refused for its form (empty, too long) is asked again; any other refusal
    (the item is gone) ends the prompt. Either way the member is told why.
    """
    text = message.text or ""
    renamed = await state.get_state() == renaming.state
    async with keep_asking(state, SECOND_CHANCE):
        item = await rename(await asked_item(state), text) if renamed else await add(text)
    await state.set_state(None)
    return item, renamed
