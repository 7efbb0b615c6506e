"""Changing a deal: amount, title, expected close date (typed, with a second chance),
the responsible manager, and comments on the deal's timeline."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.parsing.amounts import AmountError, parse_amount
from crm.parsing.when import WhenError, parse_when
from crm.service import Crm
from handlers.clients.callbacks import ClientCb
from handlers.clients.card import show
from handlers.deals.callbacks import DealCb
from handlers.deals.screen import (
    amount_error_text,
    amount_examples,
    back_to_deal,
    refresh_deal,
    send_deal,
)
from handlers.kit.errors import error_text
from handlers.kit.keyboards import cancel_button
from handlers.kit.labels import member_name
from handlers.kit.routes import Routes
from handlers.kit.timeline import deal_field_label, shorten
from storage.models import User

routes = Routes(__name__)

FIELDS = ("amount", "title", "expected_close")
CLEAR = {"-", "—", "–"}


class DealEditFlow(StatesGroup):
    value = State()
    comment = State()


class _BadValue(ValueError):
    """A typed value that cannot be stored; the message says why, for the user."""


def _cancel_only() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]])


@routes.callback_query(DealCb.filter(F.action == "edit"))
async def choose_field(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    try:
        deal = await crm.deals.changeable(member, callback_data.deal_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=deal_field_label(name).capitalize(),
                callback_data=DealCb(
                    action="edit_field", deal_id=deal.id, page=callback_data.page, value=name
                ).pack(),
            )
        ]
        for name in FIELDS
    ]
    rows.append([back_to_deal(deal.id, callback_data.page)])
    text = Text(_("What to change in “{title}”?").format(title=deal.title))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


@routes.callback_query(DealCb.filter(F.action == "edit_field"))
async def ask_value(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if callback_data.value not in FIELDS:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    try:
        deal = await crm.deals.changeable(member, callback_data.deal_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.set_state(DealEditFlow.value)
    await state.set_data({"deal_id": deal.id, "field": callback_data.value})
    questions = {
        "amount": _("The amount of “{title}”?") + " " + amount_examples(),
        "title": _("The new title of “{title}”?"),
        "expected_close": _("When is “{title}” expected to close?") + " " + date_examples(),
    }
    if isinstance(callback.message, Message):
        await callback.message.answer(
            questions[callback_data.value].format(title=deal.title), reply_markup=_cancel_only()
        )
    await callback.answer()


def date_examples() -> str:
    return _("For example: 25.12, 31 March, Friday, in 2 weeks; “-” clears the date.")


@routes.message(DealEditFlow.value, F.text)
async def save_value(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await state.get_data()
    deal_id, field = int(data.get("deal_id", 0)), str(data.get("field", ""))
    raw = (message.text or "").strip()
    try:
        if field == "amount":
            await crm.deals.set_amount(member, deal_id, _amount(raw))
        elif field == "title":
            await crm.deals.set_title(member, deal_id, raw)
        elif field == "expected_close":
            await crm.deals.set_expected_close(member, deal_id, _day(raw, crm, member))
        else:
            raise CrmError("not_found")
    except _BadValue as problem:  # a second chance
        await message.answer(str(problem))
        return
    except CrmError as error:
        await message.answer(error_text(error))
        if error.code not in ("empty", "too_long"):
            await state.clear()
        return
    await state.clear()
    await send_deal(message, crm, member, deal_id)


@routes.message(DealEditFlow.value)
async def value_not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


def _amount(raw: str) -> int:
    try:
        return parse_amount(raw)
    except AmountError as error:
        raise _BadValue(amount_error_text(error.code, raw)) from None


def _day(raw: str, crm: Crm, member: User) -> date | None:
    """The local date of what was typed (a past date is fine: it may be late already)."""
    if raw in CLEAR:
        return None
    try:
        when = parse_when(raw, crm.clock.now(), member.timezone, allow_past=True)
    except WhenError:
        why = _("“{value}” is not a date I can read.").format(value=shorten(raw, 50))
        raise _BadValue(f"{why} {date_examples()}") from None
    return when.at.astimezone(ZoneInfo(member.timezone)).date()


# --- comments ---------------------------------------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == "comment"))
async def ask_comment(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    try:
        deal = await crm.deals.visible(member, callback_data.deal_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.set_state(DealEditFlow.comment)
    await state.set_data({"deal_id": deal.id})
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("Write the comment for the deal “{title}”.").format(title=deal.title),
            reply_markup=_cancel_only(),
        )
    await callback.answer()


@routes.message(DealEditFlow.comment, F.text)
async def save_comment(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    deal_id = int((await state.get_data()).get("deal_id", 0))
    try:
        event = await crm.deals.comment(member, deal_id, message.text or "")
        deal = await crm.deals.visible(member, deal_id)
    except CrmError as error:
        await message.answer(error_text(error))
        if error.code not in ("empty", "too_long"):
            await state.clear()
        return
    await state.clear()
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("↩️ Undo"),
                    callback_data=ClientCb(
                        action="undo", client_id=deal.client_id, value=str(event.id)
                    ).pack(),
                ),
                InlineKeyboardButton(
                    text=_("💼 Open deal"),
                    callback_data=DealCb(action="open", deal_id=deal.id).pack(),
                ),
            ]
        ]
    )
    text = Text(_("Comment added to the deal “{title}”.").format(title=deal.title))
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.message(DealEditFlow.comment)
async def comment_not_text(message: Message) -> None:
    await message.answer(_("Send the comment as text, or /cancel."))


# --- responsible ------------------------------------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == "manager"))
async def choose_manager(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    try:
        deal = await crm.deals.changeable(member, callback_data.deal_id)
        team = await crm.members.team(member)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return

    def button(text: str, value: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text,
            callback_data=DealCb(
                action="set_manager", deal_id=deal.id, page=callback_data.page, value=value
            ).pack(),
        )

    rows = [
        [button(("✅ " if user.id == deal.manager_id else "") + member_name(user), str(user.id))]
        for user in team
        if user.active
    ]
    rows.append([button(_("Nobody"), "0")])
    rows.append([back_to_deal(deal.id, callback_data.page)])
    text = Text(_("Who is responsible for “{title}”?").format(title=deal.title))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


@routes.callback_query(DealCb.filter(F.action == "set_manager"))
async def set_manager(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    try:
        if not callback_data.value.isdigit():
            raise CrmError("not_found")
        manager_id = int(callback_data.value) or None
        await crm.deals.set_manager(member, callback_data.deal_id, manager_id)
        await refresh_deal(callback, crm, member, callback_data.deal_id, callback_data.page)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await callback.answer(_("Responsible changed."))
