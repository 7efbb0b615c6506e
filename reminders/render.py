"""Turning an outbox row into the message its reader sees, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from handlers.views import role_name


@dataclass
class Rendered:
    text: Text
    reply_markup: InlineKeyboardMarkup | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class UnknownKind(LookupError):
    pass


def render(kind: str, payload: dict[str, Any]) -> Rendered:
    """Call inside ``i18n.use_locale(reader's language)``."""
    if kind == "invite_accepted":
        name = str(payload.get("name") or payload.get("member_id", ""))
        return Rendered(
            Text(
                _("{name} accepted your invitation and joined the team as {role}.").format(
                    name=name, role=role_name(str(payload.get("role", "")))
                )
            )
        )
    raise UnknownKind(kind)
