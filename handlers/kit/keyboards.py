"""The main menu and small keyboards shared by several screens."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from crm import access
from handlers.kit.callbacks import CancelCb
from storage.models import User

# Menu button texts, lazy so a filter compares them in the reader's language.
MENU_CLIENTS = __("📇 Clients")
MENU_NEW_CLIENT = __("➕ New client")
MENU_DEALS = __("💼 Deals")
MENU_TASKS = __("✅ Tasks")
MENU_TEAM = __("👥 Team")
MENU_INVITE = __("✉️ Invite")
MENU_SETTINGS = __("⚙️ Settings")
MENU_HELP = __("❓ Help")
MENU_REPORTS = __("📊 Reports")


MENU_BUTTONS = (
    MENU_CLIENTS,
    MENU_NEW_CLIENT,
    MENU_DEALS,
    MENU_TASKS,
    MENU_TEAM,
    MENU_INVITE,
    MENU_SETTINGS,
    MENU_HELP,
    MENU_REPORTS,
)


def is_menu_button(text: str) -> bool:
    """Whether ``text`` is one of the main menu's buttons, in the reader's language."""
    return text in {str(button) for button in MENU_BUTTONS}


def main_menu(member: User) -> ReplyKeyboardMarkup:
    rows: list[list[KeyboardButton]] = [
        [KeyboardButton(text=str(MENU_CLIENTS)), KeyboardButton(text=str(MENU_NEW_CLIENT))],
        [KeyboardButton(text=str(MENU_DEALS)), KeyboardButton(text=str(MENU_TASKS))],
    ]
    if access.is_staff(member):
        rows.append([KeyboardButton(text=str(MENU_TEAM)), KeyboardButton(text=str(MENU_INVITE))])
        rows.append([KeyboardButton(text=str(MENU_REPORTS))])
    rows.append([KeyboardButton(text=str(MENU_SETTINGS)), KeyboardButton(text=str(MENU_HELP))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)


def cancel_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=CancelCb().pack())
