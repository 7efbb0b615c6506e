"""The deal card: open it, page its history, move it between stages, win, lose, reopen.

Every press is re-checked by the CRM (the button may be forged or stale): a deal
out of the reader's view is "no longer exists", one they may only look at is
refused, and a stage pressed twice or deleted meanwhile gets a clear alert.
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.deal_queries import CARD_EVENTS
from crm.errors import Conflict, ErrorCode
from crm.pipeline import MAX_REASON
from crm.service import Crm
from handlers.deals import edit as deal_edit
from handlers.deals import fixes as deal_fixes
from handlers.deals.callbacks import DealAction, DealCb
from handlers.deals.screen import back_to_deal, on_deal_refusal, refresh_deal, send_deal
from handlers.deals.states import LostFlow, OneDeal
from handlers.kit.alerts import alert
from handlers.kit.keyboards import keyboard, pick
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.stages import STAGE_ICONS, reason_text, stage_name
from handlers.kit.timeline import shorten
from storage.models import User

routes = Routes(__name__)
# Its own small feature, seen right after this one (so no separate registration).
routes.include(deal_edit.routes, deal_fixes.routes)

# ``move``, ``reopen`` and the lost reasons run their use cases in ``on_deal_refusal``: a
# refusal because the deal changed under the reader shows it as it is now, then is told.


@routes.callback_query(
    DealCb.filter(F.action.in_({DealAction.OPEN, DealAction.PAGE, DealAction.FROM}))
)
async def open_deal(callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User) -> None:
    # "◀️ Deal" from a question leaves it, as opening any card does (``CardEndsDialog``).
    first = callback_data.page
    if callback_data.action == DealAction.PAGE:  # an older message's: a page of events
        first *= CARD_EVENTS
    await refresh_deal(callback, crm, member, callback_data.deal_id, first)


@routes.callback_query(DealCb.filter(F.action == DealAction.STAGES))
async def choose_stage(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    """Every stage, the current one marked: skipping ahead and going back are both fine."""
    await crm.deals.changeable(member, callback_data.deal_id)
    card = await crm.deal_queries.card(member, callback_data.deal_id)
    choices = [
        (
            ("✅ " if stage.id == card.stage.id else STAGE_ICONS.get(stage.kind, "▫️") + " ")
            + shorten(stage_name(stage), 50),
            DealCb(
                action=DealAction.LOST if stage.kind == "lost" else DealAction.MOVE,
                deal_id=card.deal.id,
                page=callback_data.page,
                item_id=stage.id,
                at=card.stage.id,
            ),
        )
        for stage in card.stages
    ]
    text = Text(_("Move “{title}” to which stage?").format(title=card.deal.title))
    rows = [*pick(choices), [back_to_deal(card.deal.id, callback_data.page)]]
    await show(callback, text, keyboard(*rows))


@routes.callback_query(DealCb.filter(F.action == DealAction.MOVE))
async def move(callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User) -> None:
    """Next stage, Won, or a stage from the list: the button names the stage it goes to,
    so a second press of an old button is "already there", never one step further."""
    async with on_deal_refusal(callback, crm, member, callback_data.deal_id, callback_data.page):
        deal_id, stage_id, at = callback_data.deal_id, callback_data.item_id, callback_data.at
        deal = await crm.deals.move(member, deal_id, stage_id, at=at)
        await refresh_deal(callback, crm, member, deal.id)
    won = deal.closed_at is not None
    await callback.answer(_("🏆 The deal is won!") if won else _("Stage changed."))


@routes.callback_query(DealCb.filter(F.action == DealAction.REOPEN))
async def reopen(callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User) -> None:
    async with on_deal_refusal(callback, crm, member, callback_data.deal_id, callback_data.page):
        await crm.deals.reopen(member, callback_data.deal_id)
        await refresh_deal(callback, crm, member, callback_data.deal_id)
    await callback.answer(_("The deal is open again."))


# --- lost: a reason from the list, or typed ---------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == DealAction.LOST))
async def ask_lost_reason(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    async with on_deal_refusal(callback, crm, member, callback_data.deal_id, callback_data.page):
        card = await crm.deal_queries.card(member, callback_data.deal_id)
        await crm.deals.changeable(member, card.deal.id)
        if card.stage.kind == "lost":
            raise Conflict(ErrorCode.ALREADY_ON_STAGE)
        if callback_data.at and callback_data.at != card.stage.id:
            raise Conflict(ErrorCode.STAGE_CHANGED)
    reasons = await crm.pipelines.lost_reasons()
    choices = [
        (
            shorten(reason_text(reason), 50),
            DealCb(
                action=DealAction.LOST_PICK,
                deal_id=card.deal.id,
                page=callback_data.page,
                item_id=reason.id,
                at=card.stage.id,
            ),
        )
        for reason in reasons
    ]
    await state.set_state(LostFlow.reason)
    await OneDeal(deal_id=card.deal.id, at=card.stage.id).save(state)
    text = Text(
        _(
            "Why was “{title}” lost? Choose a reason, or type your own (up to {limit} characters)."
        ).format(title=card.deal.title, limit=MAX_REASON)
    )
    rows = [*pick(choices), [back_to_deal(card.deal.id, callback_data.page)]]
    await show(callback, text, keyboard(*rows))


async def lost_stage_id(crm: Crm) -> int | None:
    return next((s.id for s in await crm.pipelines.stages() if s.kind == "lost"), None)


@routes.callback_query(DealCb.filter(F.action == DealAction.LOST_PICK))
async def lost_with_listed_reason(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    reasons = {r.id: r for r in await crm.pipelines.lost_reasons()}
    reason = reasons.get(callback_data.item_id)
    if reason is None:
        await alert(callback, _("This reason no longer exists; choose another or type one."))
        return
    async with on_deal_refusal(callback, crm, member, callback_data.deal_id, callback_data.page):
        stage_id = await lost_stage_id(crm)
        if stage_id is None:
            raise Conflict(ErrorCode.STAGE_GONE)
        reason_said = reason_text(reason)
        await crm.deals.move(member, callback_data.deal_id, stage_id, reason_said, callback_data.at)
        await refresh_deal(callback, crm, member, callback_data.deal_id)
    if await state.get_state() == LostFlow.reason.state:
        await state.clear()
    await callback.answer(_("The deal is marked lost."))


@routes.message(LostFlow.reason, F.text)
async def lost_with_typed_reason(
    message: Message, crm: Crm, member: User, state: FSMContext
) -> None:
    asked = await OneDeal.load(state)
    deal_id = asked.deal_id
    # An empty or too long reason gets a second chance; any other refusal ends the dialog.
    async with keep_asking(state, again={ErrorCode.EMPTY, ErrorCode.TOO_LONG}, forget=True):
        stage_id = await lost_stage_id(crm)
        if stage_id is None:
            raise Conflict(ErrorCode.STAGE_GONE)
        await crm.deals.move(member, deal_id, stage_id, message.text or "", asked.at)
    await state.clear()
    await send_deal(message, crm, member, deal_id)


@routes.message(LostFlow.reason)
async def lost_reason_not_text(message: Message) -> None:
    await message.answer(_("Send the reason as text, or /cancel."))
