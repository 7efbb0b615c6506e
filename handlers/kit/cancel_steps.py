"""Which question a "✖️ Cancel" was asked for, so an old question's Cancel ends no other.

Cancel buttons are made in one place (``keyboards.cancel_button``), by views that do not
know the dialog's step. The step is known when the question goes out: the handler has
set it by then. So each request that carries a Cancel button is stamped on its way to
Telegram (``StampCancel``, a session middleware) with a short code of the FSM state the
member's dialog is in (``AskedIn`` keeps the update's ``FSMContext`` for it). A Cancel
sent with no dialog waiting stays bare, and a bare one (older messages' too) cancels
whatever waits now, as before.
"""

from __future__ import annotations

import zlib
from contextvars import ContextVar
from typing import Any, TypeGuard

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.fsm.context import FSMContext
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, TelegramObject

from handlers.kit.callbacks import CancelCb, CancelStepCb
from handlers.kit.middlewares import Handler

_asked_in: ContextVar[FSMContext | None] = ContextVar("asked_in", default=None)
BARE = CancelCb().pack()


def step_code(raw_state: str) -> str:
    """A short stable code of an FSM state ("NoteFlow:comment"): 8 hex digits."""
    return f"{zlib.crc32(raw_state.encode()):08x}"


def has_bare_cancel(markup: object) -> TypeGuard[InlineKeyboardMarkup]:
    """Whether ``markup`` (a request's) has a Cancel not stamped yet."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    return any(key.callback_data == BARE for row in markup.inline_keyboard for key in row)


def stamped(markup: InlineKeyboardMarkup, step: str) -> InlineKeyboardMarkup | None:
    """``markup`` with each bare Cancel naming the step ``step``; None when it has none."""
    data = CancelStepCb(step=step).pack()
    if not has_bare_cancel(markup):
        return None
    rows = [
        [
            key.model_copy(update={"callback_data": data}) if key.callback_data == BARE else key
            for key in row
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class AskedIn(BaseMiddleware):
    """Keeps the update's ``FSMContext`` for ``StampCancel`` (an outer update middleware,
    inside aiogram's FSM one)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        token = _asked_in.set(data.get("state"))
        try:
            return await handler(event, data)
        finally:
            _asked_in.reset(token)


class StampCancel(BaseRequestMiddleware):
    """A question's Cancel names the dialog step it was asked in (see the module)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        state = _asked_in.get()
        markup = getattr(method, "reply_markup", None)
        if state is not None and has_bare_cancel(markup):  # the storage read only then
            raw = await state.get_state()
            fresh = stamped(markup, step_code(raw)) if raw is not None else None
            if fresh is not None:
                method = method.model_copy(update={"reply_markup": fresh})
        return await make_request(bot, method)
