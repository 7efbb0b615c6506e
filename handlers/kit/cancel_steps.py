"""Which question a "✖️ Cancel" was asked for, so an old question's Cancel ends no other.

Cancel buttons are made in one place (``keyboards.cancel_button``, ``cancel_to``), by
views that do not know the dialog. The dialog is known when the question goes out: the
handler has set it by then. So each request that carries a Cancel is seen on its way to
Telegram (``StampCancel``, a session middleware): a bare Cancel is stamped with a short
code of the FSM state the member's dialog is in, and the message it went out on is noted.
When the update is done, ``AskedIn`` keeps those messages as the questions of the dialog
waiting now, in the chat's FSM storage beside the dialog (under the destiny ``ASKED``):
an update that set a dialog's state asked anew (the same step on another card is another
question), one that did not (a search asked again, a page of choices) asked more of it.

A Cancel pressed on another message than those (card A's comment question while card B's
waits) says the question is closed and ends nothing; one on a message sent after the
dialog's question was asked, in the same step, is its own however often it asked again
(only the newest ``KEEP`` are listed). A dialog with none kept (begun before this was) is
told apart by the stamp's step only, and a bare Cancel (older messages', or one sent with
no dialog waiting) cancels it, as before. When an update ends with no dialog waiting, what
was kept is forgotten (an empty record: Redis deletes the key).

So a screen asked by no dialog (the call's outcome) must not carry a question's Cancel:
sent while a dialog waits, it would be stamped as that dialog's question and end it. Its
"✖️ Cancel" is ``keyboards.close_button``, which closes that screen only.
"""

from __future__ import annotations

import zlib
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from handlers.kit.alerts import alert
from handlers.kit.callbacks import CANCEL_THEN, CancelCb, CancelStepCb
from handlers.kit.dialogs import DialogData
from handlers.kit.middlewares import Handler

BARE = CancelCb().pack()
ASKED = "asked"  # the FSM storage's destiny of the questions asked (Redis keys: bot.fsm_storage)
KEEP = 10  # the newest messages of one dialog's questions remembered


def step_code(raw_state: str) -> str:
    """A short stable code of an FSM state ("NoteFlow:comment"): 8 hex digits."""
    return f"{zlib.crc32(raw_state.encode()):08x}"


def no_longer_open() -> str:
    return _("That question is no longer open.")


def _is_cancel(data: str | None) -> bool:
    return data is not None and (data == BARE or data.startswith(CANCEL_THEN))


def has_cancel(markup: object) -> TypeGuard[InlineKeyboardMarkup]:
    """Whether ``markup`` (a request's) has a question's Cancel, stamped or not yet."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    return any(_is_cancel(key.callback_data) for row in markup.inline_keyboard for key in row)


def stamped(markup: InlineKeyboardMarkup, step: str) -> InlineKeyboardMarkup | None:
    """``markup`` with each bare Cancel naming the step ``step``; None when it has none."""
    data = CancelStepCb(step=step).pack()
    if not any(key.callback_data == BARE for row in markup.inline_keyboard for key in row):
        return None
    rows = [
        [
            key.model_copy(update={"callback_data": data}) if key.callback_data == BARE else key
            for key in row
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


@dataclass(frozen=True)
class Asked(DialogData):
    """The messages that asked the questions of the dialog in the step ``asked_step``: the
    newest ``KEEP`` of them, and the one that asked first (in a private chat, those sent
    after it in the step asked again: ids grow)."""

    asked_step: str = ""
    asked_in: list[int] = field(default_factory=list)
    asked_since: int = 0


@dataclass
class _Update:
    """What one update asked: whether it set a dialog's state, and the messages its
    Cancel buttons went out on."""

    state: FSMContext
    waited: bool = False  # a dialog waited when the update came
    asked: bool = False
    messages: list[int] = field(default_factory=list)


_update: ContextVar[_Update | None] = ContextVar("asked_in", default=None)


class _Asking(FSMContext):
    """The update's ``FSMContext``, noting a dialog's state set (a new question)."""

    def __init__(self, state: FSMContext, update: _Update) -> None:
        super().__init__(state.storage, state.key)
        self._update = update

    async def set_state(self, state: str | State | None = None) -> None:
        await super().set_state(state)
        if state is not None:
            self._update.asked = True


def _asked(state: FSMContext) -> FSMContext:
    return FSMContext(state.storage, replace(state.key, destiny=ASKED))


async def own_question(callback: CallbackQuery, state: FSMContext) -> bool | None:
    """Whether the Cancel pressed is on a question of the dialog waiting now: None when
    none waits; True when no question of it is kept either (begun before they were)."""
    waiting = await state.get_state()
    if waiting is None:
        return None
    kept = await Asked.load(_asked(state))
    if kept.asked_step != step_code(waiting):
        return True
    if callback.message is None:
        return False
    at = callback.message.message_id
    private = state.key.chat_id == state.key.user_id  # a group's messages are everyone's
    return at in kept.asked_in or (private and 0 < kept.asked_since <= at)


class AskedIn(BaseMiddleware):
    """Hands the update's ``FSMContext`` to ``StampCancel`` and keeps what it asked (an
    outer update middleware, inside aiogram's FSM one)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is None:
            return await handler(event, data)
        update = _Update(state, waited=data.get("raw_state") is not None)
        data["state"] = update.state = _Asking(state, update)
        token = _update.set(update)
        try:
            return await handler(event, data)
        finally:
            _update.reset(token)
            await _keep(update)


async def _keep(update: _Update) -> None:
    if not (update.waited or update.asked or update.messages):
        return
    waiting = await update.state.get_state()
    store = _asked(update.state)
    if waiting is None:  # the dialog is over (or none began): nothing of it is kept
        if update.waited or update.asked:
            await store.set_data({})
        return
    if not (update.asked or update.messages):
        return
    step = step_code(waiting)
    # asked anew: none before; else more of the same question (a search asked again, a page)
    before = Asked() if update.asked else await Asked.load(store)
    if before.asked_step != step:
        before = Asked()
    since = before.asked_since or max(update.messages, default=0)
    await Asked(step, [*before.asked_in, *update.messages][-KEEP:], since).save(store)


class StampCancel(BaseRequestMiddleware):
    """A question's Cancel names the dialog step it was asked in, and the message it went
    out on is noted as the dialog's (see the module)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        update = _update.get()
        markup = getattr(method, "reply_markup", None)
        if update is None or not has_cancel(markup):
            return await make_request(bot, method)
        raw = await update.state.get_state()  # the storage read only then
        fresh = stamped(markup, step_code(raw)) if raw is not None else None
        if fresh is not None:
            method = method.model_copy(update={"reply_markup": fresh})
        edited = getattr(method, "message_id", None)
        ours = getattr(method, "chat_id", None) == update.state.key.chat_id
        try:
            result = await make_request(bot, method)
        except TelegramBadRequest as error:
            if ours and isinstance(edited, int) and "message is not modified" in error.message:
                update.messages.append(edited)  # asked again: the same question stays
            raise
        sent = result.message_id if isinstance(result, Message) else edited
        if ours and isinstance(sent, int):
            update.messages.append(sent)
        return result


class CancelThen(BaseMiddleware):
    """A Cancel that goes back to a screen (``keyboards.cancel_to``): pressed on a question
    of the dialog waiting, it ends the dialog and is the screen's button; pressed on an
    older question, it says so and neither ends the dialog nor goes back (an outer
    callback query middleware). With nothing waiting, it goes back."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery) or not (event.data or "").startswith(CANCEL_THEN):
            return await handler(event, data)
        state: FSMContext | None = data.get("state")
        if state is not None:
            own = await own_question(event, state)
            if own is False:
                await alert(event, no_longer_open())
                return None
            if own:
                await state.clear()
                data["raw_state"] = None
        screen = (event.data or "")[len(CANCEL_THEN) :]
        return await handler(event.model_copy(update={"data": screen}), data)
