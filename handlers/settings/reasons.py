"""/settings → Pipeline → Lost reasons: the list a manager picks from when a deal is lost.

The owner adds, renames and deletes reasons. A deal lost earlier keeps its
reason as it was written then, so deleting a reason changes no history.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.errors import Conflict, CrmError, ErrorCode, NotAllowed
from crm.pipeline import MAX_REASON
from crm.service import Crm
from handlers.kit.errors import error_text
from handlers.kit.routes import Routes
from handlers.kit.stages import reason_text
from handlers.settings.callbacks import PipelineAction, PipelineCb
from handlers.settings.pipeline import (
    SECOND_CHANCE,
    NotOwner,
    edit,
    leave_prompt,
    prompt,
    prompt_item,
)
from handlers.settings.pipeline_views import MAX_ID, pl_button
from handlers.settings.states import PipelineFlow
from storage.models import LostReason, User

routes = Routes(__name__)
PAGE_SIZE = 10


@routes.callback_query(PipelineCb.filter(F.action.startswith("reason")), NotOwner())
async def not_for_you(callback: CallbackQuery) -> None:
    await callback.answer(error_text(NotAllowed()), show_alert=True)


async def find_reason(crm: Crm, reason_id: int) -> tuple[LostReason, int]:
    """The reason and the page of the list it is on, or ``reason_gone``."""
    reasons = await crm.pipelines.lost_reasons() if 0 < reason_id <= MAX_ID else []
    for index, reason in enumerate(reasons):
        if reason.id == reason_id:
            return reason, index // PAGE_SIZE
    raise Conflict(ErrorCode.REASON_GONE)


async def reasons_screen(
    crm: Crm, page: int = 0, note: str | None = None
) -> tuple[Text, InlineKeyboardMarkup]:
    reasons = await crm.pipelines.lost_reasons()
    pages = max(1, -(-len(reasons) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    lines: list[Text | str] = [Bold(_("Lost reasons"))]
    if note:
        lines.append(note)
    lines.append(
        _("A manager picks one of these when a deal is lost. Tap a reason to rename or delete it.")
        if reasons
        else _("There are no reasons yet; a manager then types one when a deal is lost.")
    )
    shown = reasons[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [[pl_button(reason_text(reason), PipelineAction.REASON, reason.id)] for reason in shown]
    if pages > 1:
        rows.append(
            [
                pl_button("◀️", PipelineAction.REASONS, value=str((page - 1) % pages)),
                pl_button(f"{page + 1}/{pages}", PipelineAction.REASONS, value=str(page)),
                pl_button("▶️", PipelineAction.REASONS, value=str((page + 1) % pages)),
            ]
        )
    rows.append([pl_button(_("➕ Add a reason"), PipelineAction.REASON_ADD)])
    rows.append([pl_button(_("◀️ Pipeline"), PipelineAction.STAGES)])
    return as_list(*lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def reason_screen(crm: Crm, reason_id: int) -> tuple[Text, InlineKeyboardMarkup]:
    reason, page = await find_reason(crm, reason_id)
    text = as_list(Bold(_("Lost reason")), reason_text(reason))
    rows = [
        [
            pl_button(_("✏️ Rename"), PipelineAction.REASON_RENAME, reason.id),
            pl_button(_("🗑 Delete"), PipelineAction.REASON_DELETE, reason.id),
        ],
        [pl_button(_("◀️ Lost reasons"), PipelineAction.REASONS, value=str(page))],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def page_of(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 0


@routes.callback_query(
    PipelineCb.filter(
        F.action.in_(
            {
                PipelineAction.REASONS,
                PipelineAction.REASON,
                PipelineAction.REASON_ADD,
                PipelineAction.REASON_RENAME,
                PipelineAction.REASON_DELETE,
            }
        )
    )
)
async def open_screen(
    callback: CallbackQuery, callback_data: PipelineCb, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    action, reason_id = callback_data.action, callback_data.item_id
    back = InlineKeyboardMarkup(
        inline_keyboard=[[pl_button(_("◀️ Lost reasons"), PipelineAction.REASONS)]]
    )
    try:
        if action == PipelineAction.REASONS:
            text, keyboard = await reasons_screen(crm, page_of(callback_data.value))
        elif action == PipelineAction.REASON:
            text, keyboard = await reason_screen(crm, reason_id)
        elif action == PipelineAction.REASON_ADD:
            text = Text(_("Send the new reason, 1 to {limit} characters.").format(limit=MAX_REASON))
            keyboard = back
            await prompt(state, PipelineFlow.new_reason)
        elif action == PipelineAction.REASON_RENAME:
            reason, _page = await find_reason(crm, reason_id)
            text = Text(
                _("Send the new wording for “{reason}”, 1 to {limit} characters.").format(
                    reason=reason_text(reason), limit=MAX_REASON
                )
            )
            keyboard = back
            await prompt(state, PipelineFlow.reason_text, reason.id)
        else:
            reason, _page = await find_reason(crm, reason_id)
            text = Text(
                _(
                    "Delete the reason “{reason}”? Deals already lost for it keep their reason."
                ).format(reason=reason_text(reason))
            )
            keyboard = InlineKeyboardMarkup(
                inline_keyboard=[
                    [pl_button(_("🗑 Yes, delete"), PipelineAction.REASON_DELETE_YES, reason.id)],
                    [pl_button(_("◀️ Back"), PipelineAction.REASON, reason.id)],
                ]
            )
    except CrmError as error:  # told, and a gone stage or reason leaves its screen
        await show_error(callback, crm, error)
        return
    await edit(callback, text, keyboard)


@routes.callback_query(PipelineCb.filter(F.action == PipelineAction.REASON_DELETE_YES))
async def delete(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    try:
        reason, page = await find_reason(crm, callback_data.item_id)
        name = reason_text(reason)
        await crm.pipelines.delete_lost_reason(member, reason.id)
    except CrmError as error:  # told, and a gone stage or reason leaves its screen
        await show_error(callback, crm, error)
        return
    text, keyboard = await reasons_screen(crm, page, _("Deleted: {reason}.").format(reason=name))
    await edit(callback, text, keyboard)


@routes.message(PipelineFlow.reason_text, F.text)
@routes.message(PipelineFlow.new_reason, F.text)
async def typed_reason(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    renaming = await state.get_state() == PipelineFlow.reason_text.state
    try:
        if renaming:
            reason = await crm.pipelines.rename_lost_reason(
                member, await prompt_item(state), message.text or ""
            )
        else:
            reason = await crm.pipelines.add_lost_reason(member, message.text or "")
        _reason, page = await find_reason(crm, reason.id)
    except CrmError as error:  # not only told: a second chance, or the prompt ends
        await message.answer(error_text(error))
        if error.code not in SECOND_CHANCE:
            await state.set_state(None)
        return
    await state.set_state(None)
    note = _("Renamed: {reason}.") if renaming else _("Added: {reason}.")
    text, keyboard = await reasons_screen(crm, page, note.format(reason=reason_text(reason)))
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


async def show_error(callback: CallbackQuery, crm: Crm, error: CrmError) -> None:
    """An alert; a reason that is gone also takes the stale screen back to the list."""
    if error.code == ErrorCode.REASON_GONE:
        text, keyboard = await reasons_screen(crm)
        await edit(callback, text, keyboard)
    await callback.answer(error_text(error), show_alert=True)
