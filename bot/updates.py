"""Updates received by the webhook, handled after Telegram got its answer.

With Redis (several instances) an accepted update goes into a Redis stream
read by one consumer group: each update is handled by one instance, an update
Telegram delivers twice is accepted once (its id is remembered for a day),
and one that an instance took but never finished (it was killed) is taken
over by another after ``takeover`` seconds, or at once by the same instance
when it restarts under the same name. Without Redis (one instance) updates are
handled in this process only.

Within an instance, one chat's updates are handled in the order they came;
across instances the dispatcher's Redis isolation keeps one chat's updates
from running at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from typing import Any

from aiogram import Bot, Dispatcher
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bot.web.metrics import DUPLICATES

log = logging.getLogger(__name__)

DEDUPE_SECONDS = 24 * 3600
# Accept an update once per id, atomically with queueing it: a retry of an update that
# was never queued (the process died in between) is not mistaken for a duplicate.
_PUT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'u', ARGV[1])
  return 1
end
return 0
"""


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
        self._tasks: set[asyncio.Task[None]] = set()
        self.stopping = False

    async def start_one(self, update: dict[str, Any], done: Any = None) -> None:
        """Start handling ``update`` (waits for a free slot); ``done()`` is awaited after."""
        await self._slots.acquire()
        chat = chat_of(update)
        before = self._chains.get(chat) if chat is not None else None
        task = asyncio.create_task(self._handle(update, before, done))
        self._tasks.add(task)
        if chat is not None:
            self._chains[chat] = task

        def _finished(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
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
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return not pending


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
        return await self._runner.wait(within)


class RedisUpdateQueue:
    """Several instances: a Redis stream and one consumer group shared by all of them."""

    GROUP = "bots"

    def __init__(
        self,
        runner: UpdateRunner,
        redis: Redis,
        prefix: str,
        consumer: str,
        takeover_seconds: float,
        batch: int = 32,
    ) -> None:
        self._runner = runner
        self._redis = redis
        self._prefix = prefix
        self._stream = f"{prefix}:updates"
        self._consumer = consumer
        self._takeover_ms = int(takeover_seconds * 1000)
        self._batch = batch
        self._put = redis.register_script(_PUT)
        self._in_flight: set[str] = set()
        self._stopped = asyncio.Event()

    async def put(self, update_id: int, body: bytes) -> bool:
        keys = [f"{self._prefix}:update:{update_id}", self._stream]
        accepted = bool(await self._put(keys=keys, args=[body, DEDUPE_SECONDS, 100_000]))
        if not accepted:
            DUPLICATES.inc()
        return accepted

    async def ensure_group(self) -> None:
        with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists
            await self._redis.xgroup_create(self._stream, self.GROUP, id="0", mkstream=True)

    async def run(self) -> None:
        """Read and handle updates until ``stop``: own unfinished ones first, then others'
        abandoned ones, then new ones."""
        await self.ensure_group()
        own: str | None = "0"  # what this consumer took before a restart
        loop = asyncio.get_running_loop()
        next_takeover = 0.0
        try:
            while not self._runner.stopping:
                entries: list[tuple[str, dict[str, str]]] = []
                if own is not None:
                    entries = await self._read(own, block=None)
                    own = entries[-1][0] if entries else None
                elif loop.time() >= next_takeover:
                    next_takeover = loop.time() + 1.0
                    claimed = await self._redis.xautoclaim(
                        self._stream,
                        self.GROUP,
                        self._consumer,
                        self._takeover_ms,
                        "0-0",
                        count=self._batch,
                    )
                    entries = [entry for entry in claimed[1] if entry[0] not in self._in_flight]
                if not entries and own is None:
                    entries = await self._read(">", block=500)
                for entry_id, fields in entries:
                    await self._start(entry_id, fields)
        finally:
            self._stopped.set()

    async def _read(self, start: str, block: int | None) -> list[tuple[str, dict[str, str]]]:
        answer: Any = await self._redis.xreadgroup(
            self.GROUP, self._consumer, {self._stream: start}, count=self._batch, block=block
        )
        return list(answer[0][1]) if answer else []

    async def _start(self, entry_id: str, fields: dict[str, str]) -> None:
        if entry_id in self._in_flight:
            return
        body = fields.get("u")
        try:
            update = json.loads(body) if body is not None else None
        except ValueError:
            update = None
        if not isinstance(update, dict):
            log.warning("stream entry %s is not an update; dropped", entry_id)
            await self._ack(entry_id)
            return
        self._in_flight.add(entry_id)

        async def done() -> None:
            await self._ack(entry_id)
            self._in_flight.discard(entry_id)

        await self._runner.start_one(update, done)

    async def _ack(self, entry_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, self.GROUP, entry_id)
            pipe.xdel(self._stream, entry_id)
            await pipe.execute()

    async def stop(self, within: float) -> bool:
        """Stop reading; wait for what is in flight. Unfinished entries stay for others."""
        self._runner.stopping = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), timeout=2.0)
        return await self._runner.wait(within)
