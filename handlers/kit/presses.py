"""Every press gets an answer, and a refused use case reaches the member as words.

A handler body is the happy path. ``Refusals`` turns a ``CrmError`` that a handler
let through into an alert on the press (or a reply to the message) in the
member's language; ``AnswerEveryPress`` answers, silently, any press that the
handler (or the refusal) did not, so a button never spins until Telegram gives up.
It knows what was answered from the one request middleware every call to
Telegram passes (``PressLedger``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

from crm.errors import CrmError
from handlers.kit.alerts import alert
from handlers.kit.cancel_steps import no_longer_open
from handlers.kit.dialogs import DialogLost
from handlers.kit.errors import error_text

if TYPE_CHECKING:
    from aiogram import Bot

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

_REMEMBERED = 10_000


class PressLedger(BaseRequestMiddleware):
    """Remembers which presses were answered (the newest ids; old ones are forgotten)."""

    def __init__(self) -> None:
        self._answered: OrderedDict[str, None] = OrderedDict()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if isinstance(method, AnswerCallbackQuery):
            self._answered[method.callback_query_id] = None
            while len(self._answered) > _REMEMBERED:
                self._answered.popitem(last=False)
        return response

    def answered(self, query_id: str) -> bool:
        return query_id in self._answered

    def forget(self, query_id: str) -> None:
        self._answered.pop(query_id, None)


class AnswerEveryPress(BaseMiddleware):
    """Answers a press its handler left unanswered (an outer update middleware)."""

    def __init__(self, ledger: PressLedger) -> None:
        self._ledger = ledger

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        query = event.callback_query if isinstance(event, Update) else None
        result = await handler(event, data)
        if query is not None:
            if not self._ledger.answered(query.id):
                # (too old to answer: Telegram has already stopped the spinner)
                with suppress(TelegramBadRequest):
                    await query.answer()
            self._ledger.forget(query.id)
        return result


class Refusals(BaseMiddleware):
    """A use case's refusal told to the member (an outer update middleware, inside i18n)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except CrmError as error:
            assert isinstance(event, Update)
            typed = isinstance(error, DialogLost) and isinstance(event.event, Message)
            await tell(event, no_longer_open() if typed else error_text(error))
            return None


async def tell(update: Update, text: str) -> None:
    """An alert on a press (in private when too long for one); a reply to a message (in
    a group: to the sender, in private)."""
    if update.business_message or update.edited_business_message:
        return  # a chat of a member's Business account: never a word to the customer
    event = update.event
    if isinstance(event, CallbackQuery):
        await alert(event, text)
    elif isinstance(event, Message):
        if event.chat.type == "private":
            await event.answer(text)
        elif event.from_user is not None and event.bot is not None:
            await event.bot.send_message(event.from_user.id, text)
