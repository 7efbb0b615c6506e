"""/settings: the member's language and time zone."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_key_value, as_list
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.members import SUPPORTED_LANGUAGES
from crm.service import Crm
from handlers.callbacks import SettingsCb
from handlers.keyboards import MENU_SETTINGS, cancel_button, main_menu
from handlers.views import error_text, language_name, local_time
from storage.models import User

router = Router(name=__name__)

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


class SettingsFlow(StatesGroup):
    timezone = State()


@router.message(Command("settings"))
@router.message(F.text == MENU_SETTINGS)
async def settings_command(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    await state.clear()
    text, keyboard = settings_screen(member, crm)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@router.callback_query(SettingsCb.filter(F.action == "lang"))
async def change_language(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, i18n: I18n
) -> None:
    try:
        member = await crm.members.set_language(member, callback_data.value)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    with i18n.use_locale(member.language):
        text, keyboard = settings_screen(member, crm)
        if isinstance(callback.message, Message):
            await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
            # The reply keyboard is re-sent so its buttons speak the new language too.
            await callback.message.answer(
                _("Language: {language}").format(language=language_name(member.language)),
                reply_markup=main_menu(member),
            )
        await callback.answer()


@router.callback_query(SettingsCb.filter(F.action == "tz"))
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
    await callback.answer()


@router.callback_query(SettingsCb.filter(F.action == "tz_pick"))
async def pick_timezone(
    callback: CallbackQuery, callback_data: SettingsCb, member: User, crm: Crm, state: FSMContext
) -> None:
    try:
        member = await crm.members.set_timezone(member, callback_data.value)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.clear()
    text, keyboard = settings_screen(member, crm)
    if isinstance(callback.message, Message):
        await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
    await callback.answer(_("Time zone saved."))


@router.message(SettingsFlow.timezone, F.text)
async def typed_timezone(message: Message, member: User, crm: Crm, state: FSMContext) -> None:
    try:
        member = await crm.members.set_timezone(member, message.text or "")
    except CrmError as error:
        await message.answer(error_text(error))
        return
    await state.clear()
    text, keyboard = settings_screen(member, crm)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@router.message(SettingsFlow.timezone)
async def not_a_timezone(message: Message) -> None:
    await message.answer(_("Send the time zone as text, for example Europe/Moscow, or /cancel."))


def settings_screen(member: User, crm: Crm) -> tuple[Text, InlineKeyboardMarkup]:
    now = local_time(crm.clock.now(), member.timezone)
    content = as_list(
        Bold(_("Settings")),
        as_key_value(_("Language"), language_name(member.language)),
        as_key_value(
            _("Time zone"), _("{zone} (now {time})").format(zone=member.timezone, time=now)
        ),
    )
    other_languages = [code for code in SUPPORTED_LANGUAGES if code != member.language]
    rows = [
        [
            InlineKeyboardButton(
                text=f"🌐 {language_name(code)}",
                callback_data=SettingsCb(action="lang", value=code).pack(),
            )
            for code in other_languages
        ],
        [
            InlineKeyboardButton(
                text=_("🕒 Change time zone"), callback_data=SettingsCb(action="tz").pack()
            )
        ],
    ]
    return content, InlineKeyboardMarkup(inline_keyboard=rows)
