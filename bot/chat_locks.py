"""A chat's lock in Redis, kept while its update runs, however long that takes.

aiogram's lock expires after its timeout (so the lock of an instance that was killed
frees itself), and an update slower than that (a big base's backup, replies held back
by Telegram's 429s) lost it: the chat's next update ran at the same time, and releasing
a lock no longer owned raised, which told the person their finished work had failed.
Here a keeper extends the lock every third of its timeout while the update runs, and a
lock lost anyway (Redis away longer than the timeout) is logged on release, the
update's outcome left as it is."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, suppress

from aiogram.fsm.storage.base import BaseEventIsolation, KeyBuilder, StorageKey
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockNotOwnedError, RedisError

log = logging.getLogger(__name__)


class KeptChatLocks(BaseEventIsolation):
    def __init__(self, redis: Redis, keys: KeyBuilder, timeout: float) -> None:
        self.redis = redis
        self.keys = keys
        self.timeout = timeout

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        name = self.keys.build(key, "lock")
        lock = Lock(self.redis, name, timeout=self.timeout)
        await lock.acquire()
        keeper = asyncio.create_task(self._keep(lock, name))
        try:
            yield None
        finally:
            keeper.cancel()
            with suppress(asyncio.CancelledError):
                await keeper
            try:
                await lock.release()
            except LockNotOwnedError:
                log.warning("the chat lock %s had expired before its update finished", name)
            except RedisError as error:  # it expires by itself
                log.warning("the chat lock %s was not released: %s", name, error)

    async def _keep(self, lock: Lock, name: str) -> None:
        while True:
            await asyncio.sleep(self.timeout / 3)
            try:
                await lock.reacquire()
            except LockNotOwnedError:
                log.warning("the chat lock %s expired while its update ran", name)
                return
            except RedisError as error:  # a blip: the next try may reach it in time
                log.warning("the chat lock %s was not extended: %s", name, error)

    async def close(self) -> None:
        pass
