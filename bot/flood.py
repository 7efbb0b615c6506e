"""The one layer every request to Telegram passes: it waits out flood limits and flaky networks.

A 429 means Telegram did nothing, so the request is sent again after its
``retry_after``, within ``give_up_after`` seconds in all; a user's command is then
answered late instead of never. Network errors and 5xx are retried with backoff
where a repeat is harmless (edits, answers to presses, chat actions, reads), and
for a new message only when the connection was never made (so Telegram cannot
have it); otherwise the error is logged and raised. The outbox sender paces and
retries its own messages (``reminders.limits.PACED``): they pass straight through.

Interactive replies are counted in the outbox's per-chat budget, so a reminder
leaves room after an answer to what the member just typed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientConnectorError, ConnectionTimeoutError, ServerDisconnectedError

from reminders.limits import PACED, RateLimits

log = logging.getLogger(__name__)

GIVE_UP_AFTER = 30.0
NETWORK_TRIES = 4
# Connection failures that happen before a request leaves this machine: by the type of
# aiohttp's error under aiogram's (DNS, certificate, SSL and proxy failures are kinds of
# ClientConnectorError), else by the name aiogram's message starts with.
_NEVER_SENT_TYPES = (ClientConnectorError, ServerDisconnectedError, ConnectionTimeoutError)
_NEVER_SENT = (
    "ClientConnector",
    "ClientConnectionError",
    "ClientProxyConnectionError",
    "ClientSSLError",
    "ServerDisconnectedError",
)
_SENDS = ("Send", "Copy", "Forward")


def repeatable(method: TelegramMethod[Any], error: TelegramNetworkError | None) -> bool:
    """Whether sending ``method`` again cannot make Telegram do a thing twice."""
    name = type(method).__name__
    if not name.startswith(_SENDS):
        return True  # edits, answers, chat actions, reads and deletes repeat harmlessly
    if isinstance(error, TelegramNetworkError):
        return isinstance(error.__cause__, _NEVER_SENT_TYPES) or error.message.startswith(
            _NEVER_SENT
        )
    return False  # a 5xx after a send: it may have arrived


class FloodControl(BaseRequestMiddleware):
    def __init__(
        self,
        limits: RateLimits,
        give_up_after: float = GIVE_UP_AFTER,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = limits
        self._give_up_after = give_up_after
        self._sleep = sleep
        self._monotonic = monotonic

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if PACED.get():
            return await make_request(bot, method)
        started, network_tries = self._monotonic(), 0
        while True:
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as error:
                waited = self._monotonic() - started
                if waited + error.retry_after > self._give_up_after:
                    log.warning(
                        "gave up on %s after %.0f s of flood limits", type(method).__name__, waited
                    )
                    raise
                await self._sleep(error.retry_after)
                continue
            except (TelegramNetworkError, TelegramServerError) as error:
                network_tries += 1
                network = error if isinstance(error, TelegramNetworkError) else None
                if network_tries >= NETWORK_TRIES or not repeatable(method, network):
                    log.warning("%s failed: %s", type(method).__name__, error)
                    raise
                await self._sleep(0.5 * 2 ** (network_tries - 1))
                continue
            chat_id = getattr(method, "chat_id", None)
            if isinstance(chat_id, int) and type(method).__name__.startswith(_SENDS):
                self._limits.note_sent(chat_id)
            return response
