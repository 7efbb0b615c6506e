"""Updates received by the webhook, handled after Telegram got its answer.

With Redis (several instances) the instance that received an update handles
it and keeps it in a journal in Redis until it is done (``bot.update_journal``).
Without Redis (one instance) updates are handled in this process only, and those
still running at the shutdown's deadline are lost (Telegram had its answer): the
log names them.

Within an instance, one chat's updates are handled in the order they came;
across instances the dispatcher's Redis isolation keeps one chat's updates
from running at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from typing import Any

from aiogram import Bot, Dispatcher

from bot.web.metrics import DUPLICATES

log = logging.getLogger(__name__)


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat (or person) an update belongs to, for keeping its order; None if none."""
    for key, event in update.items():
        if key == "update_id" or not isinstance(event, dict):
            continue
        for path in (("chat",), ("message", "chat"), ("from",), ("user",)):
            node: Any = event
            for step in path:
                node = node.get(step) if isinstance(node, dict) else None
            if isinstance(node, dict) and isinstance(node.get("id"), int):
                return int(node["id"])
    return None


class UpdateRunner:
    """Handles updates as tasks, one chat's in order, and waits for them on stop."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, concurrency: int = 32) -> None:
        self._dispatcher = dispatcher
        self._bot = bot
        self._slots = asyncio.Semaphore(concurrency)
        self._chains: dict[int | None, asyncio.Task[None]] = {}
        self._tasks: dict[asyncio.Task[None], object] = {}  # each with its update's id
        self.stopping = False
        self.dropped: list[object] = []  # the ids of updates cut short by ``wait``

    async def start_one(self, update: dict[str, Any], done: Any = None) -> None:
        """Start handling ``update`` (waits for a free slot); ``done()`` is awaited after."""
        await self._slots.acquire()
        chat = chat_of(update)
        before = self._chains.get(chat) if chat is not None else None
        task = asyncio.create_task(self._handle(update, before, done))
        self._tasks[task] = update.get("update_id")
        if chat is not None:
            self._chains[chat] = task

        def _finished(finished: asyncio.Task[None]) -> None:
            self._tasks.pop(finished, None)
            if chat is not None and self._chains.get(chat) is finished:
                del self._chains[chat]

        task.add_done_callback(_finished)

    async def _handle(
        self, update: dict[str, Any], before: asyncio.Task[None] | None, done: Any
    ) -> None:
        try:
            if before is not None:
                await asyncio.gather(before, return_exceptions=True)
            try:
                await self._dispatcher.feed_raw_update(self._bot, update)
            except Exception:
                log.exception("update %s failed", update.get("update_id"))
            if done is not None:
                await done()
        finally:
            self._slots.release()

    async def wait(self, within: float) -> bool:
        """Wait for what is in flight; True when all of it finished in time."""
        if not self._tasks:
            return True
        _done, pending = await asyncio.wait(set(self._tasks), timeout=within)
        self.dropped = sorted((self._tasks.get(task) for task in pending), key=str)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return not pending


def cut_short(runner: UpdateRunner, fate: str) -> None:
    log.warning("updates %s did not finish in time; %s", ", ".join(map(str, runner.dropped)), fate)


class LocalUpdateQueue:
    """One instance: updates are handled in this process; a repeated id is skipped."""

    def __init__(self, runner: UpdateRunner, remember: int = 10_000) -> None:
        self._runner = runner
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remember = remember

    async def put(self, update_id: int, body: bytes) -> bool:
        if update_id in self._seen:
            DUPLICATES.inc()
            return False
        self._seen[update_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        await self._runner.start_one(json.loads(body))
        return True

    async def run(self) -> None:
        return None

    async def stop(self, within: float) -> bool:
        self._runner.stopping = True
        if not (finished := await self._runner.wait(within)):  # Telegram had its 200
            cut_short(self._runner, "lost: without Redis no other instance takes them")
        return finished
