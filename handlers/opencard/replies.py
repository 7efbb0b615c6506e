"""A reply to a card's message goes into that card's history, even with a dialog open."""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

from handlers.kit.middlewares import Handler, goes_elsewhere
from handlers.opencard.text import replied_card


class RepliesEndDialogs(BaseMiddleware):
    """A text sent as a reply to a card's message is meant for that card: a question a
    dialog was waiting on (a reply into a customer's chat, a lost reason, a value asked
    on another card) must not take it. The dialog ends, and the text is routed as with
    none open: into the replied card's history (``text.reply_to_card``). An outer
    message middleware, after ``LeaveDialogs``."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if (
            state is not None
            and data.get("raw_state") is not None
            and isinstance(event, Message)
            and event.chat.type == "private"
            and event.text is not None
            and not goes_elsewhere(event.text)
            and replied_card(event)
        ):
            await state.clear()
            data["raw_state"] = None
        return await handler(event, data)
