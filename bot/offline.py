"""A Bot API session that never leaves the machine.

It answers every method with a plausible result (a sent message comes back as
a ``Message`` with the next id), records every request in order, keeps the
latest state of each message the bot sent or edited, and can be told to answer
a coming request with a given result or error instead, first in first out. The
console mode runs the real Dispatcher on it; the tests drive the bot with it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_origin

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetBusinessConnection,
    GetFile,
    GetMe,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BufferedInputFile,
    Chat,
    File,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    MessageId,
    ReplyKeyboardMarkup,
    User,
)

BOT_ID = 7_000_000_001
BOT_USERNAME = "kartoteka_bot"


@dataclass
class SentMessage:
    """What a chat shows for one message of the bot, after any edits."""

    chat_id: int
    message_id: int
    method: str
    text: str = ""
    entities: list[MessageEntity] = field(default_factory=list)
    inline_keyboard: InlineKeyboardMarkup | None = None
    reply_keyboard: ReplyKeyboardMarkup | None = None
    file: str | None = None
    # The bytes of a file the bot uploaded (a BufferedInputFile), for tests to read back.
    data: bytes | None = None
    deleted: bool = False

    @property
    def buttons(self) -> list[tuple[str, str | None, str | None]]:
        """(text, callback data, url) of each inline button, row by row."""
        if self.inline_keyboard is None:
            return []
        return [
            (button.text, button.callback_data, button.url)
            for row in self.inline_keyboard.inline_keyboard
            for button in row
        ]


@dataclass
class _Queued:
    method: str | None
    answer: Any
    chat_id: int | None = None


class OfflineSession(BaseSession):
    def __init__(self, bot_username: str = BOT_USERNAME) -> None:
        super().__init__()
        self.bot_user = User(id=BOT_ID, is_bot=True, first_name="Kartoteka", username=bot_username)
        self.requests: list[TelegramMethod[Any]] = []
        # outcomes[i] is the message that requests[i] sent or edited, if any.
        self.outcomes: list[SentMessage | None] = []
        # Indices into requests of those answered with an error (Telegram refused them).
        self.refused: set[int] = set()
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.chat_order: list[SentMessage] = []
        self._queued: deque[_Queued] = deque()
        self._ids = itertools.count(1)
        # Files people "sent": file id → bytes, served by getFile and the download URL.
        self.files: dict[str, bytes] = {}

    def next_message_id(self) -> int:
        """The id of a message someone else sends (a simulated chat): from the sequence the
        bot's own messages take theirs, as a chat's messages share one in Telegram."""
        return next(self._ids)

    def add_file(self, file_id: str, data: bytes) -> None:
        """Make ``file_id`` downloadable (what Telegram would serve for a sent document)."""
        self.files[file_id] = data

    # --- steering ------------------------------------------------------------

    def answer_next(
        self,
        answer: Any,
        method: type[TelegramMethod[Any]] | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next request (of ``method``, to ``chat_id``, if given) with ``answer``.

        An exception given as ``answer`` is raised to the caller instead. ``chat_id``
        makes the answer independent of the order in which messages to several chats
        go out (concurrently, so it depends on the database's timing).
        """
        self._queued.append(_Queued(method.__name__ if method else None, answer, chat_id))

    def clear(self) -> None:
        self.requests.clear()
        self.outcomes.clear()
        self.refused.clear()

    # --- BaseSession -----------------------------------------------------------

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (the BaseSession signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        data = self.files.get(url.rsplit("/", 1)[-1], b"")
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        self.requests.append(method)
        self.outcomes.append(None)
        refusal = _refusal(method)
        if refusal is not None:
            self.refused.add(len(self.requests) - 1)
            raise TelegramBadRequest(method, f"Bad Request: {refusal}")
        name = type(method).__name__
        chat = getattr(method, "chat_id", None)
        for queued in self._queued:
            if queued.method in (None, name) and queued.chat_id in (None, chat):
                self._queued.remove(queued)
                if isinstance(queued.answer, BaseException):
                    self.refused.add(len(self.requests) - 1)
                    raise queued.answer
                return queued.answer  # type: ignore[no-any-return]
        return self._plausible(method)  # type: ignore[no-any-return]

    # --- plausible answers -------------------------------------------------------

    def _plausible(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return self.bot_user
        if isinstance(method, GetFile):
            data = self.files.get(method.file_id, b"")
            return File(
                file_id=method.file_id,
                file_unique_id=f"u-{method.file_id}",
                file_size=len(data),
                file_path=f"documents/{method.file_id}",
            )
        if isinstance(method, EditMessageText | EditMessageCaption | EditMessageReplyMarkup):
            return self._edit(method)
        if isinstance(method, DeleteMessage):
            deleted = self.messages.get((int(method.chat_id), method.message_id))
            if deleted is not None:
                deleted.deleted = True
            return True
        if isinstance(method, CopyMessage):
            return MessageId(message_id=self._record(method).message_id)
        if isinstance(method, GetBusinessConnection):  # one no test told it of
            raise TelegramBadRequest(method, "Bad Request: BUSINESS_CONNECTION_INVALID")
        returning = getattr(method, "__returning__", None)
        if returning is Message:
            return self._as_message(self._record(method))
        if returning is bool:
            return True
        if get_origin(returning) is list:
            return []
        raise NotImplementedError(
            f"OfflineSession has no plausible answer for {type(method).__name__}"
        )

    def _record(self, method: TelegramMethod[Any]) -> SentMessage:
        chat_id = int(getattr(method, "chat_id", 0))
        text = getattr(method, "text", None) or getattr(method, "caption", None) or ""
        entities = getattr(method, "entities", None) or getattr(method, "caption_entities", None)
        markup = getattr(method, "reply_markup", None)
        sent = SentMessage(
            chat_id=chat_id,
            message_id=next(self._ids),
            method=type(method).__name__,
            text=text,
            entities=list(entities or []),
            inline_keyboard=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            reply_keyboard=markup if isinstance(markup, ReplyKeyboardMarkup) else None,
            file=_file_of(method),
            data=_data_of(method),
        )
        self.messages[(chat_id, sent.message_id)] = sent
        self.chat_order.append(sent)
        self.outcomes[-1] = sent
        return sent

    def _edit(self, method: EditMessageText | EditMessageCaption | EditMessageReplyMarkup) -> Any:
        if method.inline_message_id:
            return True
        key = (int(method.chat_id or 0), int(method.message_id or 0))
        sent = self.messages.get(key)
        if sent is None:
            # Editing a message the bot never sent here (e.g. from before a restart).
            sent = SentMessage(chat_id=key[0], message_id=key[1], method=type(method).__name__)
            self.messages[key] = sent
            self.chat_order.append(sent)
        if isinstance(method, EditMessageText):
            sent.text = method.text or ""
            sent.entities = list(method.entities or [])
        elif isinstance(method, EditMessageCaption):
            sent.text = method.caption or ""
            sent.entities = list(method.caption_entities or [])
        sent.inline_keyboard = method.reply_markup
        self.outcomes[-1] = sent
        return self._as_message(sent)

    def _as_message(self, sent: SentMessage) -> Message:
        return Message(
            message_id=sent.message_id,
            date=datetime.now(UTC),
            chat=Chat(id=sent.chat_id, type="private" if sent.chat_id > 0 else "group"),
            from_user=self.bot_user,
            text=sent.text or None,
            entities=sent.entities or None,
            reply_markup=sent.inline_keyboard,
        )


def _refusal(method: TelegramMethod[Any]) -> str | None:
    """What Telegram would refuse in ``method``: a text or caption over its limit (in
    UTF-16 units; a press's answer at most 200), a button's data over 64 bytes, more
    than 100 buttons, a forum's topic named for a person's private chat."""
    chat, topic = getattr(method, "chat_id", None), getattr(method, "message_thread_id", None)
    if topic is not None and isinstance(chat, int) and chat > 0:
        return "message thread not found"
    limits: tuple[tuple[str, int, str], ...] = (
        ("text", 4096, "message is too long"),
        ("caption", 1024, "message caption is too long"),
    )
    if isinstance(method, AnswerCallbackQuery):
        limits = (("text", 200, "MESSAGE_TOO_LONG"),)
    for key, limit, refusal in limits:
        value = getattr(method, key, None)
        if isinstance(value, str) and len(value.encode("utf-16-le")) // 2 > limit:
            return refusal
    markup = getattr(method, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        buttons = [b for row in markup.inline_keyboard for b in row]
        if len(buttons) > 100:
            return "reply markup is too long"
        if any(len((b.callback_data or "").encode()) > 64 for b in buttons):
            return "BUTTON_DATA_INVALID"
    return None


def _file_of(method: TelegramMethod[Any]) -> str | None:
    for name in ("photo", "document", "voice", "audio", "video"):
        value = getattr(method, name, None)
        if value is not None:
            return getattr(value, "filename", None) or str(value)
    return None


def _data_of(method: TelegramMethod[Any]) -> bytes | None:
    document = getattr(method, "document", None)
    return document.data if isinstance(document, BufferedInputFile) else None
