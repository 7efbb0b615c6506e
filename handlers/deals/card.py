"""The deal card: open it, page its history, move it between stages, win, lose, reopen.

Every press is re-checked by the CRM (the button may be forged or stale): a deal
out of the reader's view is "no longer exists", one they may only look at is
refused, and a stage pressed twice or deleted meanwhile gets a clear alert.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import Conflict, CrmError
from crm.pipeline import MAX_REASON
from crm.service import Crm
from handlers.clients.card import show
from handlers.deals import edit as deal_edit
from handlers.deals.callbacks import DealCb
from handlers.deals.edit import DealEditFlow
from handlers.deals.screen import back_to_deal, refresh_deal, refuse, send_deal
from handlers.kit.errors import error_text
from handlers.kit.routes import Routes
from handlers.kit.stages import STAGE_ICONS, reason_text, stage_name
from handlers.kit.timeline import shorten
from storage.models import User

routes = Routes(__name__)
# Its own small feature, seen right after this one (so no separate registration).
routes.include(deal_edit.routes)


class LostFlow(StatesGroup):
    reason = State()


def inactive() -> str:
    return _("This button is no longer active.")


def stage_id_of(callback_data: DealCb) -> int | None:
    return int(callback_data.value) if callback_data.value.isdigit() else None


@routes.callback_query(DealCb.filter(F.action.in_({"open", "page"})))
async def open_deal(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if await state.get_state() in (LostFlow.reason.state, *DealEditFlow.__all_states_names__):
        await state.clear()  # "◀️ Deal" from a question leaves it
    try:
        await refresh_deal(callback, crm, member, callback_data.deal_id, callback_data.page)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await callback.answer()


@routes.callback_query(DealCb.filter(F.action == "stages"))
async def choose_stage(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    """Every stage, the current one marked: skipping ahead and going back are both fine."""
    try:
        await crm.deals.changeable(member, callback_data.deal_id)
        card = await crm.deal_queries.card(member, callback_data.deal_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=(
                    "✅ " if stage.id == card.stage.id else STAGE_ICONS.get(stage.kind, "▫️") + " "
                )
                + shorten(stage_name(stage), 50),
                callback_data=DealCb(
                    action="lost" if stage.kind == "lost" else "move",
                    deal_id=card.deal.id,
                    page=callback_data.page,
                    value=str(stage.id),
                ).pack(),
            )
        ]
        for stage in card.stages
    ]
    rows.append([back_to_deal(card.deal.id, callback_data.page)])
    text = Text(_("Move “{title}” to which stage?").format(title=card.deal.title))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


@routes.callback_query(DealCb.filter(F.action == "move"))
async def move(callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User) -> None:
    """Next stage, Won, or a stage from the list: the button names the stage it goes to,
    so a second press of an old button is "already there", never one step further."""
    stage_id = stage_id_of(callback_data)
    if stage_id is None:
        await callback.answer(inactive(), show_alert=True)
        return
    try:
        deal = await crm.deals.move(member, callback_data.deal_id, stage_id)
        await refresh_deal(callback, crm, member, deal.id)
    except CrmError as error:
        await refuse(callback, crm, member, error, callback_data.deal_id, callback_data.page)
        return
    won = deal.closed_at is not None
    await callback.answer(_("🏆 The deal is won!") if won else _("Stage changed."))


@routes.callback_query(DealCb.filter(F.action == "reopen"))
async def reopen(callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User) -> None:
    try:
        await crm.deals.reopen(member, callback_data.deal_id)
        await refresh_deal(callback, crm, member, callback_data.deal_id)
    except CrmError as error:
        await refuse(callback, crm, member, error, callback_data.deal_id, callback_data.page)
        return
    await callback.answer(_("The deal is open again."))


# --- lost: a reason from the list, or typed ---------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == "lost"))
async def ask_lost_reason(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    try:
        card = await crm.deal_queries.card(member, callback_data.deal_id)
        await crm.deals.changeable(member, card.deal.id)
        if card.stage.kind == "lost":
            raise Conflict("already_on_stage")
    except CrmError as error:
        await refuse(callback, crm, member, error, callback_data.deal_id, callback_data.page)
        return
    reasons = await crm.pipelines.lost_reasons()
    rows = [
        [
            InlineKeyboardButton(
                text=shorten(reason_text(reason), 50),
                callback_data=DealCb(
                    action="lost_pick",
                    deal_id=card.deal.id,
                    page=callback_data.page,
                    value=str(reason.id),
                ).pack(),
            )
        ]
        for reason in reasons
    ]
    rows.append([back_to_deal(card.deal.id, callback_data.page)])
    await state.set_state(LostFlow.reason)
    await state.set_data({"deal_id": card.deal.id})
    text = Text(
        _(
            "Why was “{title}” lost? Choose a reason, or type your own (up to {limit} characters)."
        ).format(title=card.deal.title, limit=MAX_REASON)
    )
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


async def lost_stage_id(crm: Crm) -> int | None:
    return next((s.id for s in await crm.pipelines.stages() if s.kind == "lost"), None)


@routes.callback_query(DealCb.filter(F.action == "lost_pick"))
async def lost_with_listed_reason(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    reasons = {str(r.id): r for r in await crm.pipelines.lost_reasons()}
    reason = reasons.get(callback_data.value)
    if reason is None:
        await callback.answer(
            _("This reason no longer exists; choose another or type one."), show_alert=True
        )
        return
    try:
        stage_id = await lost_stage_id(crm)
        if stage_id is None:
            raise Conflict("stage_gone")
        await crm.deals.move(member, callback_data.deal_id, stage_id, reason_text(reason))
        await refresh_deal(callback, crm, member, callback_data.deal_id)
    except CrmError as error:
        await refuse(callback, crm, member, error, callback_data.deal_id, callback_data.page)
        return
    if await state.get_state() == LostFlow.reason.state:
        await state.clear()
    await callback.answer(_("The deal is marked lost."))


@routes.message(LostFlow.reason, F.text)
async def lost_with_typed_reason(
    message: Message, crm: Crm, member: User, state: FSMContext
) -> None:
    deal_id = int((await state.get_data()).get("deal_id", 0))
    try:
        stage_id = await lost_stage_id(crm)
        if stage_id is None:
            raise Conflict("stage_gone")
        await crm.deals.move(member, deal_id, stage_id, message.text or "")
    except CrmError as error:
        if error.code in ("empty", "too_long"):  # a second chance
            await message.answer(error_text(error))
            return
        await state.clear()
        await message.answer(error_text(error))
        return
    await state.clear()
    await send_deal(message, crm, member, deal_id)


@routes.message(LostFlow.reason)
async def lost_reason_not_text(message: Message) -> None:
    await message.answer(_("Send the reason as text, or /cancel."))
