"""Long polling that lets the updates just received start before it asks for more.

aiogram's polling hands each update it receives to a task of its own and at
once asks Telegram for the next ones. That request (the session's middlewares,
its JSON, aiohttp's write to the socket: ~0.2 ms of the event loop) ran before
any of the new tasks began, so every answer waited for it. ``AnswersFirst``
makes a getUpdates wait two turns of the event loop before it is sent: in the
first the tasks just created run up to their first wait (a ``/help`` or a card
found: until their answer is handed to aiohttp), in the second what they left
to run at once (before Python 3.12 aiohttp writes a request's body in a task of
its own). Then the poll goes. Telegram keeps what arrives meanwhile for that
poll; nothing is lost or reordered. An update whose handler waits for the
database or Redis first is answered after the poll, as before.

aiogram's polling does not wait for the tasks it handed updates to when it stops:
``UnderWay``, the outermost update middleware, keeps them, so that a stop lets them
finish (their answers, and what they leave for after them) before the app closes. It
goes outside aiogram's own middlewares too (``outermost``): an update waiting for its
chat's lock (the FSM's), or being told of its failure (the errors'), is under way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject


class AnswersFirst(BaseRequestMiddleware):
    """The outermost session middleware: a getUpdates waits two turns of the event loop."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            await asyncio.sleep(0)  # the update tasks created just now take their turn first
            await asyncio.sleep(0)  # then what they queued: their answers' writes
        return await make_request(bot, method)


class UnderWay(BaseMiddleware):
    """The outermost update middleware: the tasks handling an update right now."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - a middleware always runs in a task
            return await handler(event, data)
        self._tasks.add(task)
        try:
            return await handler(event, data)
        finally:
            self._tasks.discard(task)

    def outermost(self, dispatcher: Dispatcher) -> None:
        """Put this before the update middlewares ``dispatcher`` has (aiogram's own: the
        errors', the user's context, the FSM's that waits for the chat's lock)."""
        present = list(dispatcher.update.outer_middleware)
        for middleware in present:
            dispatcher.update.outer_middleware.unregister(middleware)
        dispatcher.update.outer_middleware.register(self)
        for middleware in present:
            dispatcher.update.outer_middleware.register(middleware)

    async def finish(self, seconds: float) -> None:
        """Wait up to ``seconds`` for the updates under way, those whose tasks
        polling created just before it stopped included (one turn lets them begin)."""
        await asyncio.sleep(0)
        current = asyncio.current_task()
        waiting = {task for task in self._tasks if task is not current}
        if waiting:
            await asyncio.wait(waiting, timeout=seconds)
