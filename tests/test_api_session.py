"""The Bot API session (bot/api_session.py): requests as JSON (files as form data), and the
models it reads answers with kept."""

from __future__ import annotations

import gc
import json
import weakref
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatAction, ChatType
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerInlineQuery,
    BanChatMember,
    EditMessageText,
    GetMyName,
    SendChatAction,
    SendDocument,
    SendMediaGroup,
    SendMessage,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputMediaPhoto,
    InputTextMessageContent,
    KeyboardButton,
    LinkPreviewOptions,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from bot.api_session import ApiSession
from tests.fake_bot_api import FakeBotApi

SENT = {
    "message_id": 7,
    "date": 1_700_000_000,
    "chat": {"id": 1, "type": "private"},
    "text": "hi",
}
CALLS: list[tuple[TelegramMethod[Any], dict[str, Any]]] = [
    (SendMessage(chat_id=1, text="hi"), SENT),
    (GetMyName(), {"name": "Kartoteka"}),
]


def answers_model_after_a_collection(
    session: AiohttpSession, method: TelegramMethod[Any], result: dict[str, Any]
) -> bool:
    """Whether the model an answer was read with is still there after a full collection."""
    bot = Bot("42:TEST", session=session)
    response = session.check_response(bot, method, 200, json.dumps({"ok": True, "result": result}))
    assert response.result is not None
    model = weakref.ref(type(response))
    del response
    gc.collect()
    return model() is not None


# Each with its own method: a model ours kept once stays kept for the whole process.
@pytest.mark.parametrize(
    ("session_type", "call", "kept"), [(ApiSession, 0, True), (AiohttpSession, 1, False)]
)
async def test_the_answers_model_outlives_the_garbage_collector(
    session_type: type[AiohttpSession], call: int, kept: bool
) -> None:
    session = session_type()
    try:
        # aiogram's own session loses it (pydantic holds it weakly): it would be made again,
        # ~7 ms, on the next answer; ours keeps it. The AiohttpSession case is a canary
        # for pydantic's behaviour: if it fails, pydantic keeps them again and
        # bot/api_session.py may go.
        assert answers_model_after_a_collection(session, *CALLS[call]) is kept
    finally:
        await session.close()


def _bot(session: AiohttpSession) -> Bot:
    return Bot(
        "42:TEST", session=session, default=DefaultBotProperties(link_preview_is_disabled=True)
    )


CARD = SendMessage(
    chat_id=5,
    text="Иван Петров\n+7 999 123-45-67",
    entities=[MessageEntity(type="bold", offset=0, length=11)],
    reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="💬 Комментарий", callback_data="c:1:0")]]
    ),
    disable_notification=False,
)


async def test_a_message_goes_as_json_with_the_fields_the_form_would_send() -> None:
    session = ApiSession()
    try:
        bot = _bot(session)
        body = session.json_body(bot, CARD)
        assert body is not None
        form = {  # aiogram's own form: every value as text, JSON for all but texts
            field["name"]: value
            for field, _headers, value in session.build_form_data(bot, CARD)._fields
        }
        sent = json.loads(body)
        assert sent.keys() == form.keys()
        for key, value in sent.items():
            assert form[key] == (value if isinstance(value, str) else json.dumps(value)), key
        assert sent["link_preview_options"] == {"is_disabled": True}  # the bot's default
        assert sent["disable_notification"] is False
        assert "Иван" in body.decode()  # not escaped: half the bytes
        upload = SendDocument(chat_id=5, document=BufferedInputFile(b"x", "a.txt"))
        assert session.json_body(bot, upload) is None  # form data, as aiogram sends files
        replying = upload.model_copy(update={"reply_parameters": ReplyParameters(message_id=3)})
        assert session.json_body(bot, replying) is None  # also when a default inside is unset
    finally:
        await session.close()


WHEN = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class Level(IntEnum):
    HIGH = 5


METHODS: list[TelegramMethod[Any]] = [
    CARD,
    SendMessage(  # a reply keyboard: buttons whose unset fields are all None
        chat_id=5,
        text="Меню",
        parse_mode="HTML",
        reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="👥 Клиенты"), KeyboardButton(text="❓ Помощь")]],
            resize_keyboard=True,
            is_persistent=True,
        ),
    ),
    EditMessageText(
        chat_id=5,
        message_id=9,
        text="x",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="a", url="https://example.org")]]
        ),
    ),
    AnswerCallbackQuery(callback_query_id="q", text=""),  # an empty text is left out
    BanChatMember(chat_id=-100, user_id=3, until_date=WHEN),  # a datetime as a timestamp
    SendChatAction(chat_id=5, action=ChatAction.TYPING),  # an enum as its value
    SetMyCommands(
        commands=[BotCommand(command="find", description="Найти")],
        scope=BotCommandScopeChat(chat_id=5),
        language_code="ru",
    ),
    SendMediaGroup(  # media by file id: no upload, so JSON
        chat_id=5,
        media=[InputMediaPhoto(media="AgAD1", caption="Фото"), InputMediaPhoto(media="AgAD2")],
    ),
    SendMessage(chat_id=5, text="y", reply_parameters=ReplyParameters(message_id=3)),
    SendMessage(  # a default inside: the bot's (True) for is_disabled
        chat_id=5,
        text="z",
        link_preview_options=LinkPreviewOptions(
            url="https://example.org",
            prefer_small_media=False,
            prefer_large_media=False,
            show_above_text=False,
        ),
    ),
    SendMessage(  # defaults inside that the bot leaves unset: left out, as aiogram does
        chat_id=5, text="w", link_preview_options=LinkPreviewOptions(url="https://example.org")
    ),
    SendMessage(  # an extra field of the method's own: None inside, a number enum
        chat_id=5, text="e", extra=[1, None, {"a": None, "b": ChatType.PRIVATE}, Level.HIGH]
    ),
    EditMessageText(  # a lone surrogate inside: escaped, as the form escapes it
        chat_id=5,
        message_id=9,
        text="s",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="a\ud800", callback_data="c")]]
        ),
    ),
    AnswerInlineQuery(  # a result's parse mode left to the bot (unset: left out)
        inline_query_id="q",
        results=[
            InlineQueryResultArticle(
                id="1", title="t", input_message_content=InputTextMessageContent(message_text="x")
            )
        ],
    ),
]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: type(m).__name__)
async def test_json_carries_what_the_form_carries(method: TelegramMethod[Any]) -> None:
    session = ApiSession()
    try:
        bot = _bot(session)
        body = session.json_body(bot, method)
        assert body is not None
        form = {
            field["name"]: value
            for field, _headers, value in session.build_form_data(bot, method)._fields
        }
        sent = json.loads(body)
        assert sent.keys() == form.keys()
        for key, value in sent.items():  # as text: True is not 1, nor 0 False
            assert (value if isinstance(value, str) else json.dumps(value)) == form[key], key
    finally:
        await session.close()


async def test_messages_and_files_reach_the_bot_api_over_http() -> None:
    api = FakeBotApi()
    await api.start()
    session = ApiSession(api=TelegramAPIServer.from_base(api.base_url("one")))
    try:
        bot = _bot(session)
        sent = await bot(CARD)
        assert sent.text == CARD.text and sent.chat.id == 5
        await bot(SendDocument(chat_id=5, document=BufferedInputFile(b"x", "a.txt"), caption="Ф"))
        message, document = api.calls
        assert (message.content_type, document.content_type) == (
            "application/json",
            "multipart/form-data",
        )
        assert (message.method, message.text, message.chat_id) == ("sendMessage", CARD.text, 5)
        assert message.fields["reply_markup"]["inline_keyboard"][0][0]["text"] == "💬 Комментарий"
        assert message.fields["entities"] == [{"type": "bold", "offset": 0, "length": 11}]
        assert (document.method, document.fields["caption"], document.chat_id) == (
            "sendDocument",
            "Ф",
            5,
        )
    finally:
        await session.close()
        await api.stop()
