"""The Bot API session keeps the models it reads answers with (see bot/api_session.py)."""

from __future__ import annotations

import gc
import json
import weakref
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import GetMyName, SendMessage, TelegramMethod

from bot.api_session import ApiSession

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
