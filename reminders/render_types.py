"""What a renderer of an outbox row gives (``reminders.render``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.formatting import Text


@dataclass
class Rendered:
    text: Text
    # Buttons under the message, or the member's menu under the message box (new or gone).
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Sent as a document with ``text`` as its caption.
    document: BufferedInputFile | None = None
