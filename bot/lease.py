"""Leases: periodic work runs on one instance at a time, not on every one.

A lease is a Redis key naming its holder, with a time to live that the holder
renews each time it runs; when the holder dies, the key runs out and another
instance takes over. A one-off occurrence (a nightly backup at 03:00) is taken
once: the key names the occurrence and is never released. Without Redis there
is one instance, and it always holds every lease.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Leases(Protocol):
    async def hold(self, name: str, seconds: float) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; False while another holds it."""

    async def once(self, name: str, occurrence: str) -> bool:
        """True for exactly one caller per ``(name, occurrence)`` across instances."""

    async def release_all(self) -> None:
        """Give up every lease this process holds (at shutdown, so others take over at once)."""


class LocalLeases:
    """One instance: every lease is ours."""

    async def hold(self, name: str, seconds: float) -> bool:
        return True

    async def once(self, name: str, occurrence: str) -> bool:
        return True

    async def release_all(self) -> None:
        return None


class RedisLeases:
    def __init__(self, redis: Redis, prefix: str, holder: str) -> None:
        self._redis = redis
        self._prefix = prefix
        self.holder = holder
        self._hold = redis.register_script(_HOLD)
        self._release = redis.register_script(_RELEASE)
        self._held: set[str] = set()

    async def hold(self, name: str, seconds: float) -> bool:
        key = f"{self._prefix}:lease:{name}"
        held = bool(await self._hold(keys=[key], args=[self.holder, int(seconds * 1000)]))
        if held and key not in self._held:
            log.info("this instance (%s) now runs %s", self.holder, name)
        (self._held.add if held else self._held.discard)(key)
        return held

    async def once(self, name: str, occurrence: str) -> bool:
        key = f"{self._prefix}:once:{name}:{occurrence}"
        return bool(await self._redis.set(key, self.holder, nx=True, ex=7 * 24 * 3600))

    async def release_all(self) -> None:
        held, self._held = list(self._held), set()
        try:
            for key in held:
                await self._release(keys=[key], args=[self.holder])
        except RedisError as error:  # they run out by themselves
            log.warning("leases not released, Redis unreachable (%s)", type(error).__name__)


Job = Callable[[], Awaitable[Any]]


class LeasedJobs:
    """The scheduler's periodic work, each job under its lease.

    ``every`` runs a job on the instance holding its lease (the lease outlives a
    few intervals, so a holder that stops is replaced within ``lease_seconds``);
    ``cron`` runs a job once per occurrence across instances. Nightly backups and
    automation timers plug in here.
    """

    def __init__(self, scheduler: AsyncIOScheduler, leases: Leases) -> None:
        self.scheduler = scheduler
        self.leases = leases

    def every(
        self,
        name: str,
        job: Job,
        seconds: float,
        lease_seconds: float | None = None,
        **options: Any,
    ) -> None:
        lease = lease_seconds or max(10.0, 5 * seconds)

        async def run() -> None:
            if await self.leases.hold(name, lease):
                await job()

        self.scheduler.add_job(run, "interval", seconds=seconds, id=name, **options)

    def cron(self, name: str, job: Job, **fields: Any) -> None:
        async def run() -> None:
            occurrence = datetime.now(UTC).strftime("%Y%m%dT%H%M")
            if await self.leases.once(name, occurrence):
                await job()

        self.scheduler.add_job(
            run, "cron", id=name, timezone="UTC", misfire_grace_time=None, **fields
        )
