"""The reply dialog: the member types what goes into the client's Telegram chat."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.state import State, StatesGroup

from handlers.kit.dialogs import DialogData


class ReplyFlow(StatesGroup):
    text = State()


@dataclass(frozen=True)
class ReplyData(DialogData):
    reply_client_id: int = 0
    reply_text: str = ""  # a filled template waiting for "Send"
