"""Changing a deal: amount, title, expected close date (typed, with a second chance),
the responsible manager, and comments on the deal's timeline."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode
from crm.parsing.amounts import AmountError, parse_amount
from crm.parsing.when import WhenError, parse_when
from crm.service import Crm
from handlers.deals.callbacks import DealAction, DealCb, DealField
from handlers.deals.fixes import fix_buttons
from handlers.deals.screen import (
    amount_error_text,
    amount_examples,
    back_to_deal,
    refresh_deal,
    send_deal,
)
from handlers.deals.states import DealEditFlow, OneDeal
from handlers.kit.alerts import alert
from handlers.kit.callbacks import UndoCb
from handlers.kit.errors import day_problem, quoting
from handlers.kit.event_labels import deal_field_label
from handlers.kit.keyboards import button, cancel_row, keyboard, pick
from handlers.kit.refused import keep_asking
from handlers.kit.responsible import responsible_rows
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.timeline import shorten
from storage.models import User

routes = Routes(__name__)

FIELDS = (DealField.AMOUNT, DealField.TITLE, DealField.EXPECTED_CLOSE)
CLEAR = {"-", "—", "–"}
# A close date typed without its year this many days past or fewer is that day, late already
# ("05.12" on 6 December), not next year's; an earlier one is next year's.
RECENT_CLOSE_DAYS = 61


class _BadValue(ValueError):
    """A typed value that cannot be stored; the message says why, for the user."""


def _cancel_only() -> InlineKeyboardMarkup:
    return keyboard(cancel_row())


@routes.callback_query(DealCb.filter(F.action == DealAction.EDIT))
async def choose_field(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    deal = await crm.deals.changeable(member, callback_data.deal_id)
    choices = [
        (
            deal_field_label(name).capitalize(),
            DealCb(
                action=DealAction.EDIT_FIELD, deal_id=deal.id, page=callback_data.page, field=name
            ),
        )
        for name in FIELDS
    ]
    text = Text(_("What to change in “{title}”?").format(title=deal.title))
    rows = [*pick(choices), fix_buttons(deal.id, callback_data.page, member)]
    await show(callback, text, keyboard(*rows, [back_to_deal(deal.id, callback_data.page)]))


@routes.callback_query(DealCb.filter(F.action == DealAction.EDIT_FIELD))
async def ask_value(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if callback_data.field not in FIELDS:
        await alert(callback, _("This button is no longer active."))
        return
    deal = await crm.deals.changeable(member, callback_data.deal_id)
    await state.set_state(DealEditFlow.value)
    await OneDeal(deal_id=deal.id, field=callback_data.field).save(state)
    lines = _("It follows its product lines now: an amount typed here turns that off.")
    questions = {
        DealField.AMOUNT: " ".join(
            [_("The amount of “{title}”?"), amount_examples()]
            + ([lines] if deal.amount_from_lines else [])
        ),
        DealField.TITLE: _("The new title of “{title}”?"),
        DealField.EXPECTED_CLOSE: _("When is “{title}” expected to close?") + " " + date_examples(),
    }
    if isinstance(callback.message, Message):
        await callback.message.answer(
            questions[callback_data.field].format(title=deal.title), reply_markup=_cancel_only()
        )


def date_examples() -> str:
    return _("For example: 25.12, 31 March, Friday, in 2 weeks; “-” clears the date.")


@routes.message(DealEditFlow.value, F.text)
async def save_value(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await OneDeal.load(state)
    deal_id, field = data.deal_id, data.field
    raw = (message.text or "").strip()
    past = None
    followed = False  # the amount followed the product lines, and no longer does
    try:  # empty or too long gets a second chance; any other refusal ends the question
        async with keep_asking(state, again={ErrorCode.EMPTY, ErrorCode.TOO_LONG}, forget=True):
            if field is DealField.AMOUNT:
                followed = (await crm.deals.visible(member, deal_id)).amount_from_lines
                deal = await crm.deals.set_amount(member, deal_id, _amount(raw))
                followed = followed and not deal.amount_from_lines
            elif field is DealField.TITLE:
                await crm.deals.set_title(member, deal_id, raw)
            elif field is DealField.EXPECTED_CLOSE:
                day = _day(raw, crm, member)
                await crm.deals.set_expected_close(member, deal_id, day)
                past = day if day is not None and day < _today(crm, member) else None
            else:
                raise CrmError(ErrorCode.NOT_FOUND)
    except _BadValue as problem:  # a second chance
        await message.answer(str(problem))
        return
    await state.clear()
    if followed:
        await message.answer(
            _(
                "Saved. The amount no longer follows the product lines; "
                "🔗 Links → 🧮 turns that back on."
            )
        )
    if past is not None:  # taken (a deal may close late), but said: "21.03" for "12.03"
        await message.answer(
            _("Saved: {date} is already in the past. If that is a typo, change the date.").format(
                date=past.strftime("%d.%m.%Y")
            )
        )
    await send_deal(message, crm, member, deal_id)


@routes.message(DealEditFlow.value)
async def value_not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


def _amount(raw: str) -> int:
    try:
        return parse_amount(raw)
    except AmountError as error:
        raise _BadValue(amount_error_text(error.code, raw)) from None


def _today(crm: Crm, member: User) -> date:
    return crm.clock.now().astimezone(ZoneInfo(member.timezone)).date()


def _day(raw: str, crm: Crm, member: User) -> date | None:
    """The local date of what was typed (a past date is fine: it may be late already; a
    day and month of the last ``RECENT_CLOSE_DAYS`` are that day, not next year's)."""
    if raw in CLEAR:
        return None
    try:
        now, zone = crm.clock.now(), member.timezone
        when = parse_when(raw, now, zone, allow_past=True, recent_days=RECENT_CLOSE_DAYS)
    except WhenError as error:  # 31.04 is no day; "someday" no date
        why = _("“{value}” is not a date I can read.").format(value=shorten(raw, 50))
        why = day_problem(error) or quoting(why, raw)
        raise _BadValue(f"{why} {date_examples()}") from None
    return when.at.astimezone(ZoneInfo(member.timezone)).date()


# --- comments ---------------------------------------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == DealAction.COMMENT))
async def ask_comment(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User, state: FSMContext
) -> None:
    deal = await crm.deals.visible(member, callback_data.deal_id)
    await state.set_state(DealEditFlow.comment)
    await OneDeal(deal_id=deal.id).save(state)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("Write the comment for the deal “{title}”.").format(title=deal.title),
            reply_markup=_cancel_only(),
        )


@routes.message(DealEditFlow.comment, F.text)
async def save_comment(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    deal_id = (await OneDeal.load(state)).deal_id
    # Empty or too long gets a second chance; any other refusal ends the question.
    async with keep_asking(state, again={ErrorCode.EMPTY, ErrorCode.TOO_LONG}, forget=True):
        event = await crm.deals.comment(member, deal_id, message.text or "")
        deal = await crm.deals.visible(member, deal_id)
    await state.clear()
    buttons = keyboard(
        [
            button(_("↩️ Undo"), UndoCb.of(event)),
            button(_("💼 Open deal"), DealCb(action=DealAction.OPEN, deal_id=deal.id)),
        ]
    )
    text = Text(_("Comment added to the deal “{title}”.").format(title=deal.title))
    await message.answer(**text.as_kwargs(), reply_markup=buttons)


@routes.message(DealEditFlow.comment)
async def comment_not_text(message: Message) -> None:
    await message.answer(_("Send the comment as text, or /cancel."))


# --- responsible ------------------------------------------------------------------------------


@routes.callback_query(DealCb.filter(F.action == DealAction.MANAGER))
async def choose_manager(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    deal = await crm.deals.changeable(member, callback_data.deal_id)
    team = await crm.members.team(member)
    back = callback_data.page

    def to(member_id: int) -> DealCb:
        return DealCb(
            action=DealAction.SET_MANAGER, deal_id=deal.id, page=back, member_id=member_id
        )

    def to_page(team_page: int) -> DealCb:
        return DealCb(action=DealAction.MANAGER, deal_id=deal.id, page=back, item_id=team_page)

    rows = responsible_rows(team, deal.manager_id, to, callback_data.item_id, to_page)
    text = Text(_("Who is responsible for “{title}”?").format(title=deal.title))
    await show(callback, text, keyboard(*rows, [back_to_deal(deal.id, back)]))


@routes.callback_query(DealCb.filter(F.action == DealAction.SET_MANAGER))
async def set_manager(
    callback: CallbackQuery, callback_data: DealCb, crm: Crm, member: User
) -> None:
    manager_id = callback_data.member_id or None
    await crm.deals.set_manager(member, callback_data.deal_id, manager_id)
    await refresh_deal(callback, crm, member, callback_data.deal_id, callback_data.page)
    await callback.answer(_("Responsible changed."))
