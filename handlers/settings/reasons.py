"""/settings → Pipeline → Lost reasons: the list a manager picks from when a deal is lost.

The owner adds, renames and deletes reasons. A deal lost earlier keeps its
reason as it was written then, so deleting a reason changes no history. Only the
owner gets in.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from functools import partial

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.errors import Conflict, ErrorCode
from crm.pipeline import MAX_REASON
from crm.service import Crm
from handlers.kit.keyboards import pager
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import reason_text
from handlers.settings.callbacks import PipelineAction, PipelineCb
from handlers.settings.editing import (
    NotOwner,
    Screen,
    ask,
    back_to_list,
    confirmation,
    leave_prompt,
    list_screen,
    refuse,
    typed_name,
)
from handlers.settings.pipeline_views import pl_button
from handlers.settings.states import PipelineFlow
from storage.models import LostReason, User

routes = Routes(__name__)
routes.callback_query(PipelineCb.filter(F.action.startswith("reason")), NotOwner())(refuse)
PAGE_SIZE = 10


async def find_reason(crm: Crm, reason_id: int) -> tuple[LostReason, int]:
    """The reason and the page of the list it is on, or ``reason_gone``."""
    for index, reason in enumerate(await crm.pipelines.lost_reasons()):
        if reason.id == reason_id:
            return reason, index // PAGE_SIZE
    raise Conflict(ErrorCode.REASON_GONE)


async def reasons_screen(crm: Crm, page: int = 0, note: str | None = None) -> Screen:
    reasons = await crm.pipelines.lost_reasons()
    pages = max(1, -(-len(reasons) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    intro = (
        _("A manager picks one of these when a deal is lost. Tap a reason to rename or delete it.")
        if reasons
        else _("There are no reasons yet; a manager then types one when a deal is lost.")
    )
    shown = reasons[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [[pl_button(reason_text(reason), PipelineAction.REASON, reason.id)] for reason in shown]
    rows.append(pager(page, pages, lambda to: PipelineCb(action=PipelineAction.REASONS, page=to)))
    rows.append([pl_button(_("➕ Add a reason"), PipelineAction.REASON_ADD)])
    rows.append([pl_button(_("◀️ Pipeline"), PipelineAction.STAGES)])
    return list_screen(_("Lost reasons"), intro, [row for row in rows if row], note)


async def reason_screen(crm: Crm, reason_id: int) -> Screen:
    reason, page = await find_reason(crm, reason_id)
    text = as_list(Bold(_("Lost reason")), reason_text(reason))
    rows = [
        [
            pl_button(_("✏️ Rename"), PipelineAction.REASON_RENAME, reason.id),
            pl_button(_("🗑 Delete"), PipelineAction.REASON_DELETE, reason.id),
        ],
        [pl_button(_("◀️ Lost reasons"), PipelineAction.REASONS, page=page)],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def reason_gone(callback: CallbackQuery, crm: Crm) -> AbstractAsyncContextManager[None]:
    """Around a press about a reason: if it is gone, the screen goes back to the list."""
    return back_to_list(callback, "reason_gone", partial(reasons_screen, crm))


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
    async with reason_gone(callback, crm):
        if action == PipelineAction.REASONS:
            await show(callback, *await reasons_screen(crm, callback_data.page))
        elif action == PipelineAction.REASON:
            await show(callback, *await reason_screen(crm, reason_id))
        elif action == PipelineAction.REASON_ADD:
            text = _("Send the new reason, 1 to {limit} characters.").format(limit=MAX_REASON)
            await ask(callback, state, PipelineFlow.new_reason, (Text(text), back))
        elif action == PipelineAction.REASON_RENAME:
            reason, _page = await find_reason(crm, reason_id)
            text = _("Send the new wording for “{reason}”, 1 to {limit} characters.").format(
                reason=reason_text(reason), limit=MAX_REASON
            )
            await ask(callback, state, PipelineFlow.reason_text, (Text(text), back), reason.id)
        else:
            reason, _page = await find_reason(crm, reason_id)
            question = _(
                "Delete the reason “{reason}”? Deals already lost for it keep their reason."
            ).format(reason=reason_text(reason))
            yes = pl_button(_("🗑 Yes, delete"), PipelineAction.REASON_DELETE_YES, reason.id)
            no = pl_button(_("◀️ Back"), PipelineAction.REASON, reason.id)
            await show(callback, *confirmation(question, yes, no))


@routes.callback_query(PipelineCb.filter(F.action == PipelineAction.REASON_DELETE_YES))
async def delete(
    callback: CallbackQuery, callback_data: PipelineCb, member: User, crm: Crm, state: FSMContext
) -> None:
    await leave_prompt(state)
    async with reason_gone(callback, crm):
        reason, page = await find_reason(crm, callback_data.item_id)
        name = reason_text(reason)
        await crm.pipelines.delete_lost_reason(member, reason.id)
    note = _("Deleted: {reason}.").format(reason=name)
    await show(callback, *await reasons_screen(crm, page, note))


@routes.message(PipelineFlow.reason_text, F.text)
@routes.message(PipelineFlow.new_reason, F.text)
async def typed_reason(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    reason, renamed = await typed_name(
        message,
        state,
        PipelineFlow.reason_text,
        partial(crm.pipelines.rename_lost_reason, member),
        partial(crm.pipelines.add_lost_reason, member),
    )
    _reason, page = await find_reason(crm, reason.id)
    note = _("Renamed: {reason}.") if renamed else _("Added: {reason}.")
    await show(message, *await reasons_screen(crm, page, note.format(reason=reason_text(reason))))
