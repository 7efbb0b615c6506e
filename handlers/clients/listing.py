"""/clients: the paginated, filtered list of clients, edited in place while it is used.

The filters of each list message are remembered in the member's FSM data (see
``handlers.client_filters``); every press re-reads them and re-checks the choice.
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.errors import ErrorCode, NotAllowed
from crm.parsing.periods import PERIOD_PRESETS, parse_period
from crm.parsing.report_period import parse_report_days
from crm.service import Crm
from handlers.clients import list_fields
from handlers.clients.callbacks import ClientListCb, ListAction
from handlers.clients.filters import (
    DATES,
    ListFilters,
    recall,
    remember,
    token,
)
from handlers.clients.list_pickers import picker_screen
from handlers.clients.list_views import (
    Screen,
    StaleButton,
    list_screen,
    menu_screen,
    period_prompt,
)
from handlers.clients.states import ClientListFlow, FieldRangeData, PeriodData
from handlers.kit.alerts import alert
from handlers.kit.keyboards import MENU_CLIENTS
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from storage.models import User

routes = Routes(__name__)


@routes.message(Command("clients"))
@routes.message(F.text == MENU_CLIENTS)
async def clients_command(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    # Leave any dialog, but keep the data: it holds the filters of earlier lists.
    await state.set_state(None)
    await send_list(message, crm, member, state, ListFilters())


async def send_list(
    message: Message, crm: Crm, member: User, state: FSMContext, filters: ListFilters
) -> None:
    text, keyboard = await list_screen(crm, member, filters, page=0)
    sent = await message.answer(**text.as_kwargs(), reply_markup=keyboard)
    await remember(state, sent.message_id, filters)


@routes.callback_query(ClientListCb.filter())
async def list_button(
    callback: CallbackQuery,
    callback_data: ClientListCb,
    crm: Crm,
    member: User,
    state: FSMContext,
    bot: Bot,
) -> None:
    message_id = callback.message.message_id if callback.message is not None else 0
    remembered = await recall(state, message_id)
    filters = remembered or ListFilters()
    try:
        filters, screen = await _press(crm, member, filters, callback_data)
    except StaleButton:
        await alert(callback, _("This button is no longer active."))
        return
    if await state.get_state() in (ClientListFlow.period.state, ClientListFlow.field_range.state):
        await state.set_state(None)
    message_id = await _put(callback, bot, *screen)
    await remember(state, message_id, filters)
    if callback_data.action == ListAction.TYPE_PERIOD:
        await state.set_state(ClientListFlow.period)
        await PeriodData(period_for_list=message_id).save(state)
    if callback_data.action == ListAction.FIELD_RANGE:
        await state.set_state(ClientListFlow.field_range)
        field_id = list_fields.field_id_of(callback_data.code)
        await FieldRangeData(range_for_list=message_id, range_field=field_id).save(state)
    if remembered is None and callback_data.action != ListAction.RESET:
        await callback.answer(_("This list was out of date, so its filters were reset."))


async def _press(
    crm: Crm, member: User, filters: ListFilters, data: ClientListCb
) -> tuple[ListFilters, Screen]:
    """The filters after this press and the screen to show."""
    if data.action == ListAction.PAGE:
        return filters, await list_screen(crm, member, filters, data.page)
    if data.action == ListAction.MENU:
        return filters, await menu_screen(crm, member, filters, data.page)
    if data.action == ListAction.ASK and data.code == list_fields.FIELDS:
        return filters, await list_fields.fields_picker(crm, filters, data.page)
    if data.action == ListAction.ASK and data.code.startswith("f") and data.code[1:].isdigit():
        return filters, await list_fields.field_picker(crm, filters, data.code, data.page)
    if data.action == ListAction.ASK:
        team_page = data.member_id or 0  # (on ASK: the page of the team, for the responsible)
        return filters, await picker_screen(crm, member, filters, data.code, data.page, team_page)
    if data.action == ListAction.FIELD_RANGE:
        return filters, await list_fields.range_prompt(crm, data.code, data.page)
    if data.action == ListAction.TYPE_PERIOD:
        return filters, period_prompt(data.page)
    chosen = await _choose(crm, member, filters, data)
    return chosen, await list_screen(crm, member, chosen, page=0)


async def _choose(crm: Crm, member: User, filters: ListFilters, data: ClientListCb) -> ListFilters:
    """Apply one choice; an empty one means "any". Each choice is checked again."""
    action, value, on = data.action, data.code, data.on
    if action == ListAction.RESET:
        return ListFilters(archived=filters.archived)
    if action == ListAction.ARCHIVE and on is not None:
        return replace(filters, archived=on)
    if action == ListAction.DEALS and on is not None:
        return replace(filters, open_deals=on)
    if action == ListAction.OVERDUE and on is not None:
        return replace(filters, overdue_tasks=on)
    if action == ListAction.STATUS:
        if value and await crm.settings.status(value) is None:
            raise StaleButton()
        return replace(filters, status=value or None)
    if action in (ListAction.TAG, ListAction.CITY):  # any the pickers' pages offer
        offered = await crm.client_queries.common_values(member, action, None, 0, filters.archived)
        picked = _offered(offered, value)
        if action == ListAction.TAG:
            return replace(filters, tag=picked)
        return replace(filters, city=picked)
    if action == ListAction.MANAGER:
        return await _choose_manager(crm, member, filters, data.member_id)
    if action == ListAction.FIELD:
        return await list_fields.choose(crm, filters, value)
    if action == ListAction.FIELDS_CLEAR:
        return replace(filters, fields=())
    if action == ListAction.PERIOD:
        if value and value not in PERIOD_PRESETS:
            raise StaleButton()
        return replace(filters, period=value or None, first_day=None, last_day=None)
    raise StaleButton()


def _offered(offered: list[str], value: str) -> str | None:
    """The tag or city a button's token stands for, among those the picker offers now."""
    if not value:
        return None
    picked = next((item for item in offered if token(item) == value), None)
    if picked is None:
        raise StaleButton()
    return picked


async def _choose_manager(
    crm: Crm, member: User, filters: ListFilters, manager_id: int | None
) -> ListFilters:
    """``None``: anyone; 0: nobody responsible; else one member of the team."""
    if not access.is_staff(member):
        raise NotAllowed()
    if not manager_id:
        return replace(filters, manager_id=None, unassigned=manager_id == 0)
    if manager_id not in {user.id for user in await crm.members.team(member)}:
        raise StaleButton()
    return replace(filters, manager_id=manager_id, unassigned=False)


async def _put(
    callback: CallbackQuery, bot: Bot, text: Text, keyboard: InlineKeyboardMarkup
) -> int:
    """Show the screen in the pressed message (or a new one if it cannot be edited); its id.

    Not ``kit.screen.show``: the list's filters are remembered by the id of the message
    that shows it, so this one must know which message that is.
    """
    message = callback.message
    if isinstance(message, Message):
        try:
            await message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise
        return message.message_id
    sent = await bot.send_message(callback.from_user.id, **text.as_kwargs(), reply_markup=keyboard)
    return sent.message_id


@routes.message(ClientListFlow.period, F.text, ~F.text.startswith("/"))
async def typed_period(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    text = message.text or ""
    today = crm.clock.now().astimezone(ZoneInfo(member.timezone)).date()
    # any length with years; without them as the report reads them ("01.03–05.03")
    days = parse_period(text) or parse_report_days(text, today)
    if days is None:
        await message.answer(
            _("I could not read that period. Send it as 01.10.2026–31.10.2026, or /cancel.")
        )
        return
    origin = (await PeriodData.load(state)).period_for_list
    filters = (await recall(state, origin) if origin is not None else None) or ListFilters()
    await state.set_state(None)
    chosen = replace(filters, period=DATES, first_day=days[0], last_day=days[1])
    await send_list(message, crm, member, state, chosen)


@routes.message(ClientListFlow.period, ~F.text)
async def period_not_text(message: Message) -> None:
    await message.answer(
        _("Send the period as text, for example 01.10.2026–31.10.2026, or /cancel.")
    )


@routes.message(ClientListFlow.field_range, F.text, ~F.text.startswith("/"))
async def typed_field_range(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """A range for a custom field filter; one that cannot be read leaves the question open."""
    asked = await FieldRangeData.load(state)
    origin = asked.range_for_list
    filters = (await recall(state, origin) if origin is not None else None) or ListFilters()
    async with keep_asking(state, again={ErrorCode.BAD_FIELD_VALUE}):  # the field gone: it ends
        chosen = await list_fields.typed(crm, filters, asked.range_field, message.text or "")
    await state.set_state(None)
    await send_list(message, crm, member, state, chosen)
