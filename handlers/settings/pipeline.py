"""/settings → Pipeline: the owner adds, renames, reorders and deletes stages.

Each open stage also says after how many days without activity a deal on it
goes stale. Won and lost stages can only be renamed. Every press is checked
again: only the owner gets in, and a stage may have been deleted meanwhile (by
another press or from another device), which is said plainly and takes the
screen back to the pipeline. The lost reasons live in ``reasons``; both are
lists of the shape in ``editing`` and share the ``PipelineFlow`` prompts.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from functools import partial

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode, InvalidInput
from crm.parsing.days import parse_days
from crm.pipeline import MAX_STAGE_NAME, MAX_STAGES
from crm.service import Crm
from handlers.kit.refused import keep_asking, on_refusal
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import stage_name
from handlers.settings.callbacks import PipelineAction, PipelineCb
from handlers.settings.editing import (
    SECOND_CHANCE,
    NotOwner,
    ask,
    asked_item,
    back_to_list,
    leave_prompt,
    refuse,
    typed_name,
)
from handlers.settings.pipeline_views import (
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
routes.callback_query(PipelineCb.filter(), NotOwner())(refuse)  # the lost reasons' too


def stage_gone(callback: CallbackQuery, crm: Crm) -> AbstractAsyncContextManager[None]:
    """Around a press about a stage: if it is gone, the screen goes back to the pipeline."""
    return back_to_list(callback, "stage_gone", partial(pipeline_screen, crm))


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
    async with stage_gone(callback, crm):
        if action == PipelineAction.SETTINGS:
            await show(callback, *await settings_screen(member, crm))
        elif action == PipelineAction.STAGES:
            await show(callback, *await pipeline_screen(crm))
        elif action == PipelineAction.STAGE:
            await show(callback, *await stage_screen(crm, stage_id))
        elif action == PipelineAction.ADD:
            if len(await crm.pipelines.stages()) >= MAX_STAGES:
                raise InvalidInput(ErrorCode.TOO_MANY_STAGES, limit=MAX_STAGES)
            text = _(
                "Send the name of the new stage, 1 to {limit} characters. "
                "It goes last among the open stages."
            ).format(limit=MAX_STAGE_NAME)
            await ask(callback, state, PipelineFlow.new_stage, (Text(text), back_to(0)))
        elif action == PipelineAction.RENAME:
            stage, _stages = await find_stage(crm, stage_id)
            text = _("Send the new name for the stage {stage}, 1 to {limit} characters.").format(
                stage=stage_name(stage), limit=MAX_STAGE_NAME
            )
            prompt = (Text(text), back_to(stage.id))
            await ask(callback, state, PipelineFlow.stage_name, prompt, stage.id)
        else:
            prompt = await stale_prompt(crm, stage_id)
            await ask(callback, state, PipelineFlow.stale_days, prompt, stage_id)


@routes.message(PipelineFlow.stage_name, F.text)
@routes.message(PipelineFlow.new_stage, F.text)
async def typed_stage_name(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    stage, renamed = await typed_name(
        message,
        state,
        PipelineFlow.stage_name,
        partial(crm.pipelines.rename_stage, member),
        partial(crm.pipelines.add_stage, member),
    )
    if renamed:
        note = _("Renamed: {stage}.").format(stage=stage.name)
        await show(message, *await stage_screen(crm, stage.id, note))
    else:
        note = _("Added: {stage}.").format(stage=stage.name)
        await show(message, *await pipeline_screen(crm, note))


# --- stale days ---------------------------------------------------------------------------


@routes.callback_query(PipelineCb.filter(F.action == PipelineAction.STALE_SET))
async def stale_by_button(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    stage_id, days = callback_data.item_id, callback_data.days
    async with stage_gone(callback, crm):
        await crm.pipelines.set_stale_days(member, stage_id, days)
        await show(callback, *await stage_screen(crm, stage_id, stale_note(days)))


@routes.message(PipelineFlow.stale_days, F.text)
async def typed_stale_days(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    stage_id = await asked_item(state)
    async with keep_asking(state, SECOND_CHANCE):
        days = parse_days(message.text or "")
        await crm.pipelines.set_stale_days(member, stage_id, days)
    await state.set_state(None)
    await show(message, *await stage_screen(crm, stage_id, stale_note(days)))


# --- order -----------------------------------------------------------------------------------


@routes.callback_query(PipelineCb.filter(F.action.in_({PipelineAction.UP, PipelineAction.DOWN})))
async def move(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    step = -1 if callback_data.action == PipelineAction.UP else 1
    async with stage_gone(callback, crm):
        stage, _stages = await find_stage(crm, callback_data.item_id)
        await crm.pipelines.move_stage(member, stage.id, step)
        await show(callback, *await stage_screen(crm, stage.id))
    await callback.answer(_("Moved up.") if step < 0 else _("Moved down."))


# --- deleting -----------------------------------------------------------------------------------


@routes.callback_query(
    PipelineCb.filter(F.action.in_({PipelineAction.DELETE, PipelineAction.DELETE_TO}))
)
async def ask_delete(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    """Where the stage's deals go, if it has any; then one confirmation."""
    await leave_prompt(state)
    async with stage_gone(callback, crm):
        await show(callback, *await delete_dialog(crm, member, callback_data))


@routes.callback_query(PipelineCb.filter(F.action == PipelineAction.DELETE_YES))
async def delete(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    move_to = callback_data.to_id or None

    async def back_out(error: CrmError) -> None:
        if error.code == ErrorCode.MOVE_DEALS_FIRST:  # deals arrived meanwhile: ask where they go
            again = PipelineCb(action=PipelineAction.DELETE, item_id=callback_data.item_id)
            await show(callback, *await delete_dialog(crm, member, again))
        elif error.code == ErrorCode.STAGE_GONE:
            await show(callback, *await pipeline_screen(crm))

    async with on_refusal(back_out):
        stage, stages = await find_stage(crm, callback_data.item_id)
        moved = await crm.pipelines.delete_stage(member, stage.id, move_to)
    note = _("Deleted: {stage}.").format(stage=stage_name(stage))
    target = next((s for s in stages if s.id == move_to), None)
    if moved and target is not None:
        note += " " + _("Deals moved to {target}: {count}.").format(
            target=stage_name(target), count=moved
        )
    await show(callback, *await pipeline_screen(crm, note))


@routes.message(StateFilter(PipelineFlow), ~F.text)
async def prompt_not_text(message: Message) -> None:
    await message.answer(_("Send it as text, or /cancel."))
