"""/settings: the member's language and time zone; for the owner, who sees what and statuses."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from crm.errors import ErrorCode, InvalidInput, NotAllowed
from crm.service import Crm
from crm.team_settings import MAX_STATUS_NAME, MAX_STATUSES, can_change_settings
from handlers.kit.dialogs import leave_step
from handlers.kit.keyboards import MENU_SETTINGS, cancel_button, main_menu
from handlers.kit.labels import language_name, status_label
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.settings.callbacks import SettingsAction, SettingsCb
from handlers.settings.editing import Screen, list_screen
from handlers.settings.screen import button, settings_screen
from handlers.settings.states import SettingsFlow, StatusName
from storage.models import User

routes = Routes(__name__)

COMMON_TIMEZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
    "Europe/Minsk",
    "Asia/Almaty",
    "UTC",
)


# A menu button tapped while a name is asked for is a change of mind, not the name.


@routes.message(Command("settings"))
@routes.message(F.text == MENU_SETTINGS)
async def settings_command(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    await state.clear()
    text, keyboard = await settings_screen(member, crm)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.callback_query(SettingsCb.filter(F.action == SettingsAction.LANG))
async def change_language(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, i18n: I18n
) -> None:
    member = await crm.members.set_language(member, callback_data.language)
    with i18n.use_locale(member.language):
        await show(callback, *await settings_screen(member, crm))
        if isinstance(callback.message, Message):
            # The reply keyboard is re-sent so its buttons speak the new language too.
            await callback.message.answer(
                _("Language: {language}").format(language=language_name(member.language)),
                reply_markup=main_menu(member),
            )


@routes.callback_query(SettingsCb.filter(F.action == SettingsAction.TZ))
async def ask_timezone(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(SettingsFlow.timezone)
    rows = [
        [
            InlineKeyboardButton(
                text=zone,
                callback_data=SettingsCb(action=SettingsAction.TZ_PICK, zone=zone).pack(),
            )
            for zone in COMMON_TIMEZONES[i : i + 2]
        ]
        for i in range(0, len(COMMON_TIMEZONES), 2)
    ]
    rows.append([cancel_button()])
    text = Text(_("Choose your time zone or send its name (for example Europe/Moscow)."))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))


@routes.callback_query(SettingsCb.filter(F.action == SettingsAction.TZ_PICK))
async def pick_timezone(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, state: FSMContext
) -> None:
    member = await crm.members.set_timezone(member, callback_data.zone)
    await leave_step(state, SettingsFlow.timezone)
    await show(callback, *await settings_screen(member, crm))
    await callback.answer(_("Time zone saved."))


@routes.message(SettingsFlow.timezone, F.text)
async def typed_timezone(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    member = await crm.members.set_timezone(member, message.text or "")  # refused: asked again
    await state.clear()
    await show(message, *await settings_screen(member, crm))


@routes.message(SettingsFlow.timezone)
async def not_a_timezone(message: Message) -> None:
    await message.answer(_("Send the time zone as text, for example Europe/Moscow, or /cancel."))


# --- the owner's part: who sees what, client statuses ---------------------------


@routes.callback_query(SettingsCb.filter(F.action == SettingsAction.SEE_ALL))
async def toggle_see_all(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm
) -> None:
    on = callback_data.on
    await crm.settings.set_managers_see_all(member, on)
    await show(callback, *await settings_screen(member, crm))
    await callback.answer(
        _("Managers now see all clients.")
        if on
        else _("Managers now see only their own clients and unassigned ones.")
    )


STATUS_ACTIONS = {
    SettingsAction.MAIN,
    SettingsAction.STATUSES,
    SettingsAction.RENAME,
    SettingsAction.ADD,
}


@routes.callback_query(SettingsCb.filter(F.action.in_(STATUS_ACTIONS)))
async def statuses_button(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, state: FSMContext
) -> None:
    if await state.get_state() in (SettingsFlow.status_name.state, SettingsFlow.new_status.state):
        await state.set_state(None)
    action = callback_data.action
    if action == SettingsAction.MAIN:
        await show(callback, *await settings_screen(member, crm))
        return
    if not can_change_settings(member):
        raise NotAllowed()
    back = InlineKeyboardMarkup(
        inline_keyboard=[[button(_("◀️ Statuses"), SettingsAction.STATUSES)]]
    )
    if action == SettingsAction.STATUSES:
        text, keyboard = await statuses_screen(crm)
    elif action == SettingsAction.ADD:
        await state.set_state(SettingsFlow.new_status)
        text = Text(
            _("Send the name of the new status, 1 to {limit} characters.").format(
                limit=MAX_STATUS_NAME
            )
        )
        keyboard = back
    else:
        status = await crm.settings.status(callback_data.status)
        if status is None:
            raise InvalidInput(ErrorCode.NO_SUCH_STATUS)
        await state.set_state(SettingsFlow.status_name)
        await StatusName(status_code=status.code).save(state)
        label = status_label(status.code, await crm.settings.statuses())
        text = Text(
            _("Send the new name for the status {status}, 1 to {limit} characters.").format(
                status=label, limit=MAX_STATUS_NAME
            )
        )
        keyboard = back
    await show(callback, text, keyboard)


async def statuses_screen(crm: Crm, note: str | None = None) -> Screen:
    statuses = await crm.settings.statuses()
    buttons = [
        button(status_label(s.code, statuses), SettingsAction.RENAME, status=s.code)
        for s in statuses
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if len(statuses) < MAX_STATUSES:
        rows.append([button(_("➕ Add a status"), SettingsAction.ADD)])
    rows.append([button(_("◀️ Settings"), SettingsAction.MAIN)])
    return list_screen(_("Client statuses"), _("Tap a status to rename it."), rows, note)


@routes.message(SettingsFlow.status_name, F.text)
@routes.message(SettingsFlow.new_status, F.text)
async def typed_status_name(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    renaming = await state.get_state() == SettingsFlow.status_name.state
    async with keep_asking(state, again={ErrorCode.BAD_STATUS_NAME, ErrorCode.STATUS_NAME_TAKEN}):
        if renaming:
            code = (await StatusName.load(state)).status_code
            status = await crm.settings.rename_status(member, code, message.text or "")
        else:
            status = await crm.settings.add_status(member, message.text or "")
    await state.set_state(None)
    label = status_label(status.code, await crm.settings.statuses())
    note = (_("Renamed: {status}.") if renaming else _("Added: {status}.")).format(status=label)
    await show(message, *await statuses_screen(crm, note))


@routes.message(StateFilter(SettingsFlow.status_name, SettingsFlow.new_status), ~F.text)
async def status_name_not_text(message: Message) -> None:
    await message.answer(_("Send the status name as text, or /cancel."))
