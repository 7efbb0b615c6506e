"""/settings → Pipeline: the owner adds, renames, reorders and deletes stages.

Each open stage also says after how many days without activity a deal on it
goes stale. Won and lost stages can only be renamed. Every press is checked
again: only the owner gets in, and a stage may have been deleted meanwhile (by
another press or from another device), which is said plainly. The lost reasons
live in ``pipeline_reasons``; both share the ``PipelineFlow`` prompts.
"""

from __future__ import annotations

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode, InvalidInput, NotAllowed
from crm.parsing.days import parse_days
from crm.pipeline import MAX_STAGE_NAME, MAX_STAGES
from crm.service import Crm
from crm.team_settings import can_change_settings
from handlers.kit.errors import error_text
from handlers.kit.routes import Routes
from handlers.kit.stages import stage_name
from handlers.settings.callbacks import PipelineAction, PipelineCb
from handlers.settings.pipeline_views import (
    MAX_ID,
    back_to,
    delete_dialog,
    find_stage,
    pipeline_screen,
    stage_screen,
    stale_note,
    stale_prompt,
)
from handlers.settings.screen import settings_screen
from handlers.settings.states import PipelineFlow
from storage.models import User

routes = Routes(__name__)

SECOND_CHANCE = frozenset({ErrorCode.EMPTY, ErrorCode.TOO_LONG, ErrorCode.BAD_STALE_DAYS})
ITEM = "pipeline_item"  # the stage or reason a prompt is about, in the dialog's data


class NotOwner(Filter):
    """Everyone but the owner: they get a refusal, whatever the (forged) button says."""

    async def __call__(self, event: CallbackQuery, member: User | None = None) -> bool:
        return member is None or not can_change_settings(member)


@routes.callback_query(PipelineCb.filter(), NotOwner())
async def not_for_you(callback: CallbackQuery) -> None:
    await callback.answer(error_text(NotAllowed()), show_alert=True)


# --- small shared pieces (the lost reasons use them too) ------------------------------


async def edit(callback: CallbackQuery, text: Text, keyboard: InlineKeyboardMarkup) -> None:
    if not isinstance(callback.message, Message):
        return
    try:
        await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
    except TelegramBadRequest as error:  # a second tap that changes nothing
        if "message is not modified" not in error.message:
            raise


async def leave_prompt(state: FSMContext) -> None:
    """A press anywhere in these screens ends a pending name or number prompt."""
    if await state.get_state() in PipelineFlow.__all_states_names__:
        await state.set_state(None)


async def prompt(state: FSMContext, step: State, item_id: int = 0) -> None:
    await state.set_state(step)
    await state.update_data({ITEM: item_id})


async def prompt_item(state: FSMContext) -> int:
    value = (await state.get_data()).get(ITEM)
    return value if isinstance(value, int) else 0


async def show_error(callback: CallbackQuery, crm: Crm, error: CrmError) -> None:
    """An alert; a stage that is gone also takes the stale screen back to the pipeline.

    (More than the kit's alert, so the pipeline's handlers catch refusals themselves.)"""
    if error.code == ErrorCode.STAGE_GONE:
        text, keyboard = await pipeline_screen(crm)
        await edit(callback, text, keyboard)
    await callback.answer(error_text(error), show_alert=True)


# --- navigation and prompts -------------------------------------------------------------


@routes.callback_query(
    PipelineCb.filter(
        F.action.in_(
            {
                PipelineAction.SETTINGS,
                PipelineAction.STAGES,
                PipelineAction.STAGE,
                PipelineAction.ADD,
                PipelineAction.RENAME,
                PipelineAction.STALE,
            }
        )
    )
)
async def open_screen(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    action, stage_id = callback_data.action, callback_data.item_id
    try:
        if action == PipelineAction.SETTINGS:
            text, keyboard = await settings_screen(member, crm)
        elif action == PipelineAction.STAGES:
            text, keyboard = await pipeline_screen(crm)
        elif action == PipelineAction.STAGE:
            text, keyboard = await stage_screen(crm, stage_id)
        elif action == PipelineAction.ADD:
            if len(await crm.pipelines.stages()) >= MAX_STAGES:
                raise InvalidInput(ErrorCode.TOO_MANY_STAGES, limit=MAX_STAGES)
            text = Text(
                _(
                    "Send the name of the new stage, 1 to {limit} characters. "
                    "It goes last among the open stages."
                ).format(limit=MAX_STAGE_NAME)
            )
            keyboard = back_to(0)
            await prompt(state, PipelineFlow.new_stage)
        elif action == PipelineAction.RENAME:
            stage, _stages = await find_stage(crm, stage_id)
            text = Text(
                _("Send the new name for the stage {stage}, 1 to {limit} characters.").format(
                    stage=stage_name(stage), limit=MAX_STAGE_NAME
                )
            )
            keyboard = back_to(stage.id)
            await prompt(state, PipelineFlow.stage_name, stage.id)
        else:
            text, keyboard = await stale_prompt(crm, stage_id)
            await prompt(state, PipelineFlow.stale_days, stage_id)
    except CrmError as error:  # told, and a gone stage or reason leaves its screen
        await show_error(callback, crm, error)
        return
    await edit(callback, text, keyboard)


@routes.message(PipelineFlow.stage_name, F.text)
@routes.message(PipelineFlow.new_stage, F.text)
async def typed_stage_name(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    renaming = await state.get_state() == PipelineFlow.stage_name.state
    try:
        if renaming:
            stage = await crm.pipelines.rename_stage(
                member, await prompt_item(state), message.text or ""
            )
        else:
            stage = await crm.pipelines.add_stage(member, message.text or "")
    except CrmError as error:  # not only told: a second chance, or the prompt ends
        await message.answer(error_text(error))
        if error.code not in SECOND_CHANCE:
            await state.set_state(None)
        return
    await state.set_state(None)
    if renaming:
        note = _("Renamed: {stage}.").format(stage=stage.name)
        text, keyboard = await stage_screen(crm, stage.id, note)
    else:
        text, keyboard = await pipeline_screen(crm, _("Added: {stage}.").format(stage=stage.name))
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


# --- stale days ---------------------------------------------------------------------------


@routes.callback_query(PipelineCb.filter(F.action == PipelineAction.STALE_SET))
async def stale_by_button(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    try:
        days = None if callback_data.value == "none" else parse_days(callback_data.value)
        await crm.pipelines.set_stale_days(member, callback_data.item_id, days)
        text, keyboard = await stage_screen(crm, callback_data.item_id, stale_note(days))
    except CrmError as error:  # told, and a gone stage or reason leaves its screen
        await show_error(callback, crm, error)
        return
    await edit(callback, text, keyboard)


@routes.message(PipelineFlow.stale_days, F.text)
async def typed_stale_days(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    stage_id = await prompt_item(state)
    try:
        days = parse_days(message.text or "")
        await crm.pipelines.set_stale_days(member, stage_id, days)
    except CrmError as error:  # not only told: a second chance, or the prompt ends
        await message.answer(error_text(error))
        if error.code not in SECOND_CHANCE:
            await state.set_state(None)
        return
    await state.set_state(None)
    text, keyboard = await stage_screen(crm, stage_id, stale_note(days))
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


# --- order -----------------------------------------------------------------------------------


@routes.callback_query(PipelineCb.filter(F.action.in_({PipelineAction.UP, PipelineAction.DOWN})))
async def move(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    step = -1 if callback_data.action == PipelineAction.UP else 1
    try:
        stage, _stages = await find_stage(crm, callback_data.item_id)
        await crm.pipelines.move_stage(member, stage.id, step)
        text, keyboard = await stage_screen(crm, stage.id)
    except CrmError as error:  # told, and a gone stage or reason leaves its screen
        await show_error(callback, crm, error)
        return
    await edit(callback, text, keyboard)
    await callback.answer(_("Moved up.") if step < 0 else _("Moved down."))


# --- deleting -----------------------------------------------------------------------------------


@routes.callback_query(
    PipelineCb.filter(F.action.in_({PipelineAction.DELETE, PipelineAction.DELETE_TO}))
)
async def ask_delete(
    callback: CallbackQuery, callback_data: PipelineCb, crm: Crm, state: FSMContext
) -> None:
    """Where the stage's deals go, if it has any; then one confirmation."""
    await leave_prompt(state)
    try:
        text, keyboard = await delete_dialog(crm, callback_data)
    except CrmError as error:  # told, and a gone stage or reason leaves its screen
        await show_error(callback, crm, error)
        return
    await edit(callback, text, keyboard)


@routes.callback_query(PipelineCb.filter(F.action == PipelineAction.DELETE_YES))
async def delete(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    value = callback_data.value
    move_to = int(value) if value.isascii() and value.isdigit() and int(value) <= MAX_ID else None
    try:
        stage, stages = await find_stage(crm, callback_data.item_id)
        moved = await crm.pipelines.delete_stage(member, stage.id, move_to)
    except CrmError as error:
        if error.code == ErrorCode.MOVE_DEALS_FIRST:  # deals arrived meanwhile: ask where they go
            again = PipelineCb(action=PipelineAction.DELETE, item_id=callback_data.item_id)
            try:
                text, keyboard = await delete_dialog(crm, again)
            except CrmError as other:
                error = other
            else:
                await edit(callback, text, keyboard)
        await show_error(callback, crm, error)
        return
    note = _("Deleted: {stage}.").format(stage=stage_name(stage))
    target = next((s for s in stages if s.id == move_to), None)
    if moved and target is not None:
        note += " " + _("Deals moved to {target}: {count}.").format(
            target=stage_name(target), count=moved
        )
    text, keyboard = await pipeline_screen(crm, note)
    await edit(callback, text, keyboard)


@routes.message(StateFilter(PipelineFlow), ~F.text)
async def prompt_not_text(message: Message) -> None:
    await message.answer(_("Send it as text, or /cancel."))
