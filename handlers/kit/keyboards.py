"""The main menu and the builders every screen's buttons are made with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.context import get_i18n

from crm import access
from handlers.kit.callbacks import CANCEL_THEN, CancelCb, CloseCb
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
    return text in _menu_texts(get_i18n().current_locale)


def main_menu(member: User) -> ReplyKeyboardMarkup:
    """The menu under the message box, built once per language and kind of member:
    one copy serves every answer, so pass it as it is and never edit it."""
    return _main_menu(get_i18n().current_locale, access.is_staff(member))


@cache
def _menu_texts(_locale: str) -> frozenset[str]:
    return frozenset(str(button) for button in MENU_BUTTONS)


@cache
def _main_menu(_locale: str, staff: bool) -> ReplyKeyboardMarkup:
    rows: list[list[KeyboardButton]] = [
        [KeyboardButton(text=str(MENU_CLIENTS)), KeyboardButton(text=str(MENU_NEW_CLIENT))],
        [KeyboardButton(text=str(MENU_DEALS)), KeyboardButton(text=str(MENU_TASKS))],
    ]
    if staff:
        rows.append([KeyboardButton(text=str(MENU_TEAM)), KeyboardButton(text=str(MENU_INVITE))])
    # For everyone, as /report is: a manager's report is of their own deals and clients.
    rows.append([KeyboardButton(text=str(MENU_REPORTS))])
    rows.append([KeyboardButton(text=str(MENU_SETTINGS)), KeyboardButton(text=str(MENU_HELP))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)


def cancel_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=CancelCb().pack())


def close_button() -> InlineKeyboardButton:
    """ "✖️ Cancel" of a screen no dialog asked: it closes the screen, and a question waiting
    meanwhile (another card's) stays (a question's Cancel would end it)."""
    return InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=CloseCb().pack())


def cancel_to(screen: CallbackData | str) -> InlineKeyboardButton:
    """A question's "✖️ Cancel" that ends it and goes back to ``screen`` (a button's data):
    as ``screen``'s button, but an older question's press ends no other (``CANCEL_THEN``)."""
    data = CANCEL_THEN + (screen if isinstance(screen, str) else screen.pack())
    if len(data.encode()) > 64:  # Telegram refuses the whole message for it
        raise ValueError(f"a Cancel to {screen!r} does not fit a button's 64 bytes")
    return InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=data)


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    """One inline button whose press carries ``data``."""
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def keyboard(*rows: list[InlineKeyboardButton] | None) -> InlineKeyboardMarkup:
    """Rows of buttons; empty or missing rows are left out."""
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def back_row(text: str, data: CallbackData) -> list[InlineKeyboardButton]:
    return [button(f"◀️ {text}", data)]


def pager(
    page: int, pages: int, to_page: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """◀️ 2/5 ▶️ for a paged list; nothing when it fits one page.

    ``to_page`` makes the button data for a page; the counter itself repeats the
    current page (a press refreshes it).
    """
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button("◀️", to_page(page - 1)))
    row.append(button(f"{page + 1}/{pages}", to_page(page)))
    if page + 1 < pages:
        row.append(button("▶️", to_page(page + 1)))
    return row


def pick(
    items: Sequence[tuple[str, CallbackData]], columns: int = 1
) -> list[list[InlineKeyboardButton]]:
    """One button per choice, ``columns`` to a row."""
    buttons = [button(text, data) for text, data in items]
    return [buttons[i : i + columns] for i in range(0, len(buttons), max(1, columns))]


def confirm(yes: str, yes_data: CallbackData, no_data: CallbackData) -> list[InlineKeyboardButton]:
    """A dangerous action's two buttons: do it, or go back."""
    return [button(yes, yes_data), button(_("◀️ No, back"), no_data)]


def cancel_row() -> list[InlineKeyboardButton]:
    return [cancel_button()]
