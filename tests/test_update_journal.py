"""The webhook's update journal in Redis (``bot.update_journal``) when Redis goes away for a moment.

Two journals stand for two instances on one database (one Dispatcher handles what
either starts); the first reaches Redis through a proxy the test cuts and restores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.methods import SendMessage, TelegramMethod
from redis.asyncio import Redis

from bot.app import App
from bot.lease import RedisLeases
from bot.offline import OfflineSession
from bot.update_journal import RedisUpdateQueue
from bot.updates import UpdateRunner
from tests.cluster import message_update, wait_until
from tests.conftest import OWNER_ID

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


class Proxy:
    """A TCP proxy to Redis that can be cut (every connection closed, new ones refused)."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()

        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.create_task(pipe(source, sink))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    target = urlsplit(REDIS_URL)
    running = Proxy(target.hostname or "127.0.0.1", target.port or 6379)
    await running.start()
    yield running
    with contextlib.suppress(Exception):
        await running.cut()


async def _forget(prefix: str) -> None:
    async with Redis.from_url(f"{REDIS_URL.rstrip('/')}/0") as cleanup:
        keys = [key async for key in cleanup.scan_iter(f"{prefix}:*")]
        if keys:
            await cleanup.delete(*keys)


def slow_telegram(session: OfflineSession) -> Callable[[], list[SendMessage]]:
    """Telegram answering each request after a second, so an update is still being
    answered while Redis goes away; what it was asked to send the owner, to read."""

    async def telegram_takes_a_second(
        make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
    ) -> Any:
        await asyncio.sleep(1.0)
        return await make_request(bot, method)

    session.middleware(telegram_takes_a_second)

    def replies() -> list[SendMessage]:
        return [r for r in session.requests if isinstance(r, SendMessage) and r.chat_id == OWNER_ID]

    return replies


async def redis_until(check: Callable[[], Awaitable[bool]], within: float = 10) -> bool:
    """Wait (at most ``within`` seconds) until ``check``, a look at Redis, says yes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def away_and_back(proxy: Proxy, direct: Redis, prefix: str, takeover: float) -> None:
    """Redis out of reach of the first instance ("a") until its heartbeat has lapsed and the
    others have looked twice (they look every ``takeover / 3``), then back until "a" has
    beaten again (a restart, a failover, a network blip)."""
    alive = f"{prefix}:alive:a"
    await proxy.cut()
    assert await redis_until(lambda: _missing(direct, alive))
    await asyncio.sleep(2 * takeover / 3 + 0.1)
    await proxy.start()
    assert await redis_until(lambda: _present(direct, alive))


async def _missing(redis: Redis, key: str) -> bool:
    return not await redis.exists(key)


async def _present(redis: Redis, key: str) -> bool:
    return bool(await redis.exists(key))


async def _wind_down(
    queues: list[RedisUpdateQueue], running: list[asyncio.Task[None]], redis: Redis, prefix: str
) -> None:
    """Stop the queues and their runs, close the test's client, remove the test's keys."""
    for queue in queues:
        with contextlib.suppress(Exception):
            await queue.stop(5)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    await redis.aclose()
    await _forget(prefix)


def _upgraded(app: App, redis: Redis, legacy: str) -> tuple[RedisUpdateQueue, asyncio.Task[None]]:
    """Instance "a" running after the upgrade that put the bot's id after ``legacy``."""
    queue = RedisUpdateQueue(
        UpdateRunner(app.dispatcher, app.bot), redis, f"{legacy}:{app.bot.id}", "a", 1.0, legacy
    )
    return queue, asyncio.create_task(queue.run())


async def _empty(redis: Redis, key: str) -> bool:
    return not await redis.hlen(key)


async def test_after_redis_came_back_an_update_is_handled_once(app: App, proxy: Proxy) -> None:
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    prefix = f"kt-journal-{uuid.uuid4().hex[:8]}"
    through_proxy = Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", decode_responses=True)
    direct = Redis.from_url(f"{REDIS_URL.rstrip('/')}/0", decode_responses=True)
    takeover = 0.6
    a = RedisUpdateQueue(
        UpdateRunner(app.dispatcher, app.bot), through_proxy, prefix, "a", takeover
    )
    b = RedisUpdateQueue(UpdateRunner(app.dispatcher, app.bot), direct, prefix, "b", takeover)
    running = [asyncio.create_task(a.run()), asyncio.create_task(b.run())]

    replies = slow_telegram(session)

    try:
        await asyncio.sleep(0.3)  # both beat and know each other
        # Redis is out of reach of the first instance for longer than its heartbeat lasts,
        # then back.
        await away_and_back(proxy, direct, prefix, takeover)

        # An update reaches the first instance again; nobody else handles it too.
        update = message_update(1, OWNER_ID, "/help")
        assert await a.put(1, json.dumps(update).encode())
        assert await wait_until(lambda: bool(replies()), 10)
        await asyncio.sleep(3 * takeover)  # another instance would have taken it by now
        assert len(replies()) == 1
    finally:
        for queue in (a, b):
            with contextlib.suppress(Exception):
                await queue.stop(5)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await through_proxy.aclose()
        await direct.aclose()
        await _forget(prefix)


async def test_an_update_finished_while_redis_was_away_is_not_handled_again(
    app: App, proxy: Proxy
) -> None:
    """Its journal entry, which could not be removed then, is removed once Redis is back:
    a restart of the instance later does not take it for one it never finished."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    prefix = f"kt-journal-{uuid.uuid4().hex[:8]}"
    through_proxy = Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", decode_responses=True)
    direct = Redis.from_url(f"{REDIS_URL.rstrip('/')}/0", decode_responses=True)
    takeover = 0.6
    a = RedisUpdateQueue(
        UpdateRunner(app.dispatcher, app.bot), through_proxy, prefix, "a", takeover
    )
    running = asyncio.create_task(a.run())
    restarted: RedisUpdateQueue | None = None
    again: asyncio.Task[None] | None = None

    replies = slow_telegram(session)

    try:
        await asyncio.sleep(0.3)
        update = message_update(1, OWNER_ID, "/help")
        assert await a.put(1, json.dumps(update).encode())
        await asyncio.sleep(0.3)
        await proxy.cut()  # while the update is being answered
        assert await wait_until(lambda: bool(replies()), 10)
        await asyncio.sleep(3 * takeover)
        await proxy.start()
        # Back: the entry of the update finished meanwhile goes.
        assert await redis_until(lambda: _empty(direct, f"{prefix}:inflight:a"))
        assert await a.stop(5)
        running.cancel()

        # The instance restarts under its name and handles what its journal still holds.
        restarted = RedisUpdateQueue(
            UpdateRunner(app.dispatcher, app.bot), through_proxy, prefix, "a", takeover
        )
        again = asyncio.create_task(restarted.run())
        await asyncio.sleep(3 * takeover)
        assert len(replies()) == 1
    finally:
        for queue in (a, restarted):
            if queue is not None:
                with contextlib.suppress(Exception):
                    await queue.stop(5)
        for task in (running, again):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await through_proxy.aclose()
        await direct.aclose()
        await _forget(prefix)


async def test_an_update_finished_before_the_journal_first_reached_redis_is_not_run_again(
    app: App, proxy: Proxy
) -> None:
    """Redis out of reach when the instance starts, then back for one update, then away
    while that update finishes: once Redis answers, the instance's first look at its own
    journal finds the update's entry, which it must remove, not handle again."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    prefix = f"kt-journal-{uuid.uuid4().hex[:8]}"
    through_proxy = Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", decode_responses=True)
    a = RedisUpdateQueue(UpdateRunner(app.dispatcher, app.bot), through_proxy, prefix, "a", 6.0)

    replies = slow_telegram(session)

    await proxy.cut()
    running = asyncio.create_task(a.run())  # its first look at Redis fails
    try:
        await asyncio.sleep(0.1)
        await proxy.start()  # back for as long as it takes to accept one update (the
        update = message_update(1, OWNER_ID, "/help")  # journal looks again in 0.5 s)
        assert await a.put(1, json.dumps(update).encode())
        await proxy.cut()
        assert await wait_until(lambda: bool(replies()), 10)
        await asyncio.sleep(0.3)  # finished; its entry could not be removed
        await proxy.start()
        await asyncio.sleep(2.5)  # the journal reaches Redis and reads its own entries
        assert len(replies()) == 1
        async with Redis.from_url(f"{REDIS_URL.rstrip('/')}/0") as direct:
            assert await direct.hlen(f"{prefix}:inflight:a") == 0
    finally:
        await _wind_down([a], [running], through_proxy, prefix)


async def test_a_stop_while_redis_is_away_finishes_the_shutdown(
    app: App, proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGTERM with Redis out of reach: the journal's stop and the leases' release log
    it and return, so the shutdown goes on (the outbox sender stopped, its rows given
    back) instead of ending in Redis's ConnectionError."""
    prefix = f"kt-journal-{uuid.uuid4().hex[:8]}"
    through_proxy = Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", decode_responses=True)
    a = RedisUpdateQueue(UpdateRunner(app.dispatcher, app.bot), through_proxy, prefix, "a", 6.0)
    leases = RedisLeases(through_proxy, prefix, "a")
    running = asyncio.create_task(a.run())
    try:
        assert await leases.hold("tick", 30)
        assert await a.put(1, json.dumps(message_update(1, OWNER_ID, "/help")).encode())
        await proxy.cut()
        assert await a.stop(5) is True
        await leases.release_all()
        assert "Redis unreachable while stopping" in caplog.text
        assert "leases not released" in caplog.text
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await through_proxy.aclose()
        await _forget(prefix)


async def test_an_instance_taking_over_a_backlog_keeps_beating(app: App) -> None:
    """A killed instance left four updates; a live one takes them over and handles them
    one at a time (its slots full, Telegram slow). Meanwhile its heartbeat goes on, so
    the other live instance does not take them from it and answer them a second time."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    prefix = f"kt-journal-{uuid.uuid4().hex[:8]}"
    direct = Redis.from_url(f"{REDIS_URL.rstrip('/')}/0", decode_responses=True)
    await direct.sadd(f"{prefix}:instances", "dead")
    for update_id in range(1, 5):
        body = json.dumps(message_update(update_id, OWNER_ID, "/help"))
        await direct.hset(f"{prefix}:inflight:dead", str(update_id), body)
    takeover = 1.0
    queues = [
        RedisUpdateQueue(
            UpdateRunner(app.dispatcher, app.bot, concurrency=1), direct, prefix, name, takeover
        )
        for name in ("a", "b")
    ]
    replies = slow_telegram(session)
    running = [asyncio.create_task(queue.run()) for queue in queues]
    try:
        assert await wait_until(lambda: len(replies()) == 4, 15)
        await asyncio.sleep(2 * takeover)  # the other would have taken them by now
        assert len(replies()) == 4
    finally:
        await _wind_down(queues, running, direct, prefix)


async def test_its_own_journal_kept_before_the_bots_id_joined_the_prefix_is_taken_over(
    app: App,
) -> None:
    """Updates in flight when the instances stopped for the upgrade to per-bot keys were
    journaled under the bare prefix: this instance takes over its own, answered once, and
    not another's, stopped or not (those keys never named their bot: another bot sharing
    the Redis and the prefix may have written them; its instance takes its own)."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    legacy = f"kt-journal-{uuid.uuid4().hex[:8]}"
    direct = Redis.from_url(f"{REDIS_URL.rstrip('/')}/0", decode_responses=True)
    await direct.sadd(f"{legacy}:instances", "a", "x", "y")
    for update_id, name in ((1, "a"), (2, "x"), (3, "y")):
        body = json.dumps(message_update(update_id, OWNER_ID, "/help"))
        await direct.hset(f"{legacy}:inflight:{name}", str(update_id), body)
    await direct.set(f"{legacy}:alive:y", "1", ex=30)
    replies = slow_telegram(session)
    queue, running = _upgraded(app, direct, legacy)
    try:
        assert await wait_until(lambda: len(replies()) == 1, 10)
        await asyncio.sleep(1.0)
        assert len(replies()) == 1
        assert await direct.smembers(f"{legacy}:instances") == {"x", "y"}
        assert list(await direct.hkeys(f"{legacy}:inflight:x")) == ["2"]
        assert list(await direct.hkeys(f"{legacy}:inflight:y")) == ["3"]
        assert not await direct.exists(f"{legacy}:inflight:a")
        assert await redis_until(lambda: _empty(direct, f"{legacy}:{app.bot.id}:inflight:a"))
    finally:
        await _wind_down([queue], [running], direct, legacy)


async def test_a_stopping_instance_keeps_beating_until_its_updates_are_done(app: App) -> None:
    """SIGTERM while an update is being answered, with the takeover shorter than the
    shutdown: the stopping instance beats on until it has answered, so the other does
    not take the update over and answer it a second time; once stopped, its heartbeat
    is gone at once (what it left is taken over without waiting)."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    prefix = f"kt-journal-{uuid.uuid4().hex[:8]}"
    direct = Redis.from_url(f"{REDIS_URL.rstrip('/')}/0", decode_responses=True)
    takeover = 0.3
    a, b = (
        RedisUpdateQueue(UpdateRunner(app.dispatcher, app.bot), direct, prefix, name, takeover)
        for name in ("a", "b")
    )
    running = [asyncio.create_task(a.run()), asyncio.create_task(b.run())]
    replies = slow_telegram(session)
    try:
        await asyncio.sleep(0.3)  # both beat and know each other
        assert await a.put(1, json.dumps(message_update(1, OWNER_ID, "/help")).encode())
        # Answering takes a second (slow Telegram), more than three takeovers.
        assert await a.stop(5)
        # The other would have taken it over by now, and answered it (a second's wait).
        await asyncio.sleep(1.5 + 3 * takeover)
        assert len(replies()) == 1
        assert not await direct.exists(f"{prefix}:alive:a")
        assert await direct.hlen(f"{prefix}:inflight:a") == 0
    finally:
        await _wind_down([b], running, direct, prefix)


async def test_an_update_accepted_before_the_bots_id_joined_the_prefix_is_not_taken_again(
    app: App,
) -> None:
    """Telegram retries an update across the upgrade to per-bot keys (its answer was lost):
    the id remembered under the bare prefix refuses it, as a duplicate; an id not
    remembered there is taken."""
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    legacy = f"kt-journal-{uuid.uuid4().hex[:8]}"
    direct = Redis.from_url(f"{REDIS_URL.rstrip('/')}/0", decode_responses=True)
    await direct.set(f"{legacy}:update:7", "1", ex=60)
    replies = slow_telegram(session)
    queue, running = _upgraded(app, direct, legacy)
    try:
        assert not await queue.put(7, json.dumps(message_update(7, OWNER_ID, "/help")).encode())
        assert await queue.put(8, json.dumps(message_update(8, OWNER_ID, "/help")).encode())
        assert await wait_until(lambda: len(replies()) == 1, 10)
        await asyncio.sleep(1.5)
        assert len(replies()) == 1
    finally:
        await _wind_down([queue], [running], direct, legacy)
