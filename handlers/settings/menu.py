"""/settings: the member's language and time zone; for the owner, who sees what and statuses."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode, InvalidInput, NotAllowed
from crm.service import Crm
from crm.team_settings import MAX_STATUS_NAME, MAX_STATUSES, can_change_settings
from handlers.kit.errors import error_text
from handlers.kit.keyboards import MENU_SETTINGS, cancel_button, main_menu
from handlers.kit.labels import language_name, status_label
from handlers.kit.routes import Routes
from handlers.settings.callbacks import SettingsCb
from handlers.settings.screen import button, settings_screen
from handlers.settings.states import SettingsFlow
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


@routes.callback_query(SettingsCb.filter(F.action == "lang"))
async def change_language(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, i18n: I18n
) -> None:
    member = await crm.members.set_language(member, callback_data.value)
    with i18n.use_locale(member.language):
        text, keyboard = await settings_screen(member, crm)
        if isinstance(callback.message, Message):
            await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
            # The reply keyboard is re-sent so its buttons speak the new language too.
            await callback.message.answer(
                _("Language: {language}").format(language=language_name(member.language)),
                reply_markup=main_menu(member),
            )
        await callback.answer()


@routes.callback_query(SettingsCb.filter(F.action == "tz"))
async def ask_timezone(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(SettingsFlow.timezone)
    rows = [
        [
            InlineKeyboardButton(
                text=zone, callback_data=SettingsCb(action="tz_pick", value=zone).pack()
            )
            for zone in COMMON_TIMEZONES[i : i + 2]
        ]
        for i in range(0, len(COMMON_TIMEZONES), 2)
    ]
    rows.append([cancel_button()])
    if isinstance(callback.message, Message):
        await callback.message.edit_text(
            _("Choose your time zone or send its name (for example Europe/Moscow)."),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
        )


@routes.callback_query(SettingsCb.filter(F.action == "tz_pick"))
async def pick_timezone(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, state: FSMContext
) -> None:
    member = await crm.members.set_timezone(member, callback_data.value)
    await state.clear()
    text, keyboard = await settings_screen(member, crm)
    if isinstance(callback.message, Message):
        await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
    await callback.answer(_("Time zone saved."))


@routes.message(SettingsFlow.timezone, F.text)
async def typed_timezone(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    member = await crm.members.set_timezone(member, message.text or "")  # refused: asked again
    await state.clear()
    text, keyboard = await settings_screen(member, crm)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.message(SettingsFlow.timezone)
async def not_a_timezone(message: Message) -> None:
    await message.answer(_("Send the time zone as text, for example Europe/Moscow, or /cancel."))


# --- the owner's part: who sees what, client statuses ---------------------------


@routes.callback_query(SettingsCb.filter(F.action == "see_all"))
async def toggle_see_all(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm
) -> None:
    if callback_data.value not in ("on", "off"):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    on = callback_data.value == "on"
    await crm.settings.set_managers_see_all(member, on)
    text, keyboard = await settings_screen(member, crm)
    await edit(callback, text, keyboard)
    await callback.answer(
        _("Managers now see all clients.")
        if on
        else _("Managers now see only their own clients and unassigned ones.")
    )


@routes.callback_query(SettingsCb.filter(F.action.in_({"main", "statuses", "rename", "add"})))
async def statuses_button(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, state: FSMContext
) -> None:
    if await state.get_state() in (SettingsFlow.status_name.state, SettingsFlow.new_status.state):
        await state.set_state(None)
    action = callback_data.action
    if action == "main":
        text, keyboard = await settings_screen(member, crm)
        await edit(callback, text, keyboard)
        await callback.answer()
        return
    if not can_change_settings(member):
        await callback.answer(error_text(NotAllowed()), show_alert=True)
        return
    back = InlineKeyboardMarkup(inline_keyboard=[[button(_("◀️ Statuses"), "statuses")]])
    if action == "statuses":
        text, keyboard = await statuses_screen(crm)
    elif action == "add":
        await state.set_state(SettingsFlow.new_status)
        text = Text(
            _("Send the name of the new status, 1 to {limit} characters.").format(
                limit=MAX_STATUS_NAME
            )
        )
        keyboard = back
    else:
        status = await crm.settings.status(callback_data.value)
        if status is None:
            await callback.answer(
                error_text(InvalidInput(ErrorCode.NO_SUCH_STATUS)), show_alert=True
            )
            return
        await state.set_state(SettingsFlow.status_name)
        await state.update_data(status_code=status.code)
        label = status_label(status.code, await crm.settings.statuses())
        text = Text(
            _("Send the new name for the status {status}, 1 to {limit} characters.").format(
                status=label, limit=MAX_STATUS_NAME
            )
        )
        keyboard = back
    await edit(callback, text, keyboard)


async def statuses_screen(crm: Crm, note: str | None = None) -> tuple[Text, InlineKeyboardMarkup]:
    statuses = await crm.settings.statuses()
    lines: list[Text | str] = [Bold(_("Client statuses"))]
    if note:
        lines.append(note)
    lines.append(_("Tap a status to rename it."))
    buttons = [button(status_label(s.code, statuses), "rename", s.code) for s in statuses]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if len(statuses) < MAX_STATUSES:
        rows.append([button(_("➕ Add a status"), "add")])
    rows.append([button(_("◀️ Settings"), "main")])
    return as_list(*lines), InlineKeyboardMarkup(inline_keyboard=rows)


@routes.message(SettingsFlow.status_name, F.text)
@routes.message(SettingsFlow.new_status, F.text)
async def typed_status_name(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    renaming = await state.get_state() == SettingsFlow.status_name.state
    try:
        if renaming:
            code = str((await state.get_data()).get("status_code", ""))
            status = await crm.settings.rename_status(member, code, message.text or "")
        else:
            status = await crm.settings.add_status(member, message.text or "")
    except CrmError as error:  # not only told: a bad name is asked again, else the dialog ends
        await message.answer(error_text(error))
        if error.code != ErrorCode.BAD_STATUS_NAME:  # a bad name gets a second chance
            await state.set_state(None)
        return
    await state.set_state(None)
    label = status_label(status.code, await crm.settings.statuses())
    note = (_("Renamed: {status}.") if renaming else _("Added: {status}.")).format(status=label)
    text, keyboard = await statuses_screen(crm, note)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.message(StateFilter(SettingsFlow.status_name, SettingsFlow.new_status), ~F.text)
async def status_name_not_text(message: Message) -> None:
    await message.answer(_("Send the status name as text, or /cancel."))


async def edit(callback: CallbackQuery, text: Text, keyboard: InlineKeyboardMarkup) -> None:
    if isinstance(callback.message, Message):
        await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
