"""Choosing a card's responsible member: the same screen for a client and a record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.kit.labels import member_name
from storage.models import User

Data = TypeVar("Data")


def checked(text: str, on: bool) -> str:
    return ("✅ " if on else "") + text


def responsible_choices(
    team: Sequence[User], current: int | None, to: Callable[[int], Data]
) -> list[tuple[str, Data]]:
    """The active members (the responsible one ticked), then "Nobody" (``to(0)``)."""
    choices = [
        (checked(member_name(user), user.id == current), to(user.id))
        for user in team
        if user.active
    ]
    choices.append((_("Nobody"), to(0)))
    return choices


def responsible_question(name: str) -> Text:
    return Text(_("Who is responsible for {name}?").format(name=name))
