"""The Bot API session: aiohttp's, keeping the response types it reads answers with.

aiogram reads every answer with ``Response[<the method's result type>]``, a
pydantic generic model. pydantic keeps parametrized models only weakly, so the
cyclic garbage collector frees them, and the next answer builds its model
again: about 7 ms of CPU each time, tens of times a minute on a busy bot. Here
each result type's model, once made, is kept for the life of the process (a
few dozen, one per kind of Bot API method the bot calls).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod

_KEPT: dict[Any, type[Response[Any]]] = {}


def keep_response_type(returning: Any) -> type[Response[Any]]:
    """``Response[returning]``, made once and then held so that pydantic's cache keeps it."""
    kept = _KEPT.get(returning)
    if kept is None:
        kept = _KEPT[returning] = Response[returning]
    return kept


class ApiSession(AiohttpSession):
    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        keep_response_type(method.__returning__)
        return super().check_response(bot, method, status_code, content)
