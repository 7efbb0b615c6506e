"""Choosing members: a card's responsible one (a client's, a deal's and a record's alike),
a task's assignee, whose tasks to show, the client list's filter. A team may have a
hundred members or more, past Telegram's 100 buttons a message: every such picker shows
them ``TEAM_PAGE`` at a time, with "◀️ 2/15 ▶️" between the pages (``member_page``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.kit.keyboards import button, pager
from handlers.kit.labels import member_name
from storage.models import User

TEAM_PAGE = 8  # members a picker shows at a time: with its other buttons, a screenful

Item = TypeVar("Item")


def checked(text: str, on: bool) -> str:
    return ("✅ " if on else "") + text


def page_of(items: Sequence[Item], page: int, size: int) -> tuple[Sequence[Item], int, int]:
    """Page ``page`` of ``items`` (a page past the last is the last, as after members
    left), the page it is and how many there are (at least one)."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    return items[page * size : (page + 1) * size], page, pages


def member_page(
    members: Sequence[User], page: int, to_page: Callable[[int], CallbackData]
) -> tuple[Sequence[User], list[InlineKeyboardButton]]:
    """The members on page ``page`` and the row that moves between the pages (none when
    they fit one); ``to_page`` makes a page's button."""
    shown, page, pages = page_of(members, page, TEAM_PAGE)
    return shown, pager(page, pages, to_page)


def responsible_rows(
    team: Sequence[User],
    current: int | None,
    to: Callable[[int], CallbackData],
    page: int,
    to_page: Callable[[int], CallbackData],
) -> list[list[InlineKeyboardButton]]:
    """The active members of page ``page``, one a row (the responsible one ticked), the
    pages' row, then "Nobody" (``to(0)``)."""
    shown, pages = member_page([user for user in team if user.active], page, to_page)
    rows = [[button(checked(member_name(user), user.id == current), to(user.id))] for user in shown]
    return [*rows, *([pages] if pages else []), [button(_("Nobody"), to(0))]]


def responsible_question(name: str) -> Text:
    return Text(_("Who is responsible for {name}?").format(name=name))
