"""The update journal in Redis, for several instances (the webhook's updates).

The instance that received an update handles it, and keeps it in a journal in
Redis until it is done: an update Telegram delivers twice is accepted once (its
id is remembered for a day), and one an instance took but never finished (it was
killed) is taken over by another once its heartbeat has been silent for
``takeover`` seconds, or at once by the same instance when it restarts under the
same name.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.updates import UpdateRunner, cut_short
from bot.web.metrics import DUPLICATES

log = logging.getLogger(__name__)

DEDUPE_SECONDS = 24 * 3600
# Accept an update once per id, atomically with queueing it: a retry of an update that
# was never queued (the process died in between) is not mistaken for a duplicate.
# A third key is the id as remembered under the bare prefix before the upgrade (b03b6e7).
_PUT = """
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then
  return 0
end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0
"""
# A stopped instance's journal moves into the caller's, all at once (so one taker only).
_ADOPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {}
end
local entries = redis.call('HGETALL', KEYS[2])
for index = 1, #entries, 2 do
  redis.call('HSET', KEYS[3], entries[index], entries[index + 1])
end
redis.call('DEL', KEYS[2])
return entries
"""


class RedisUpdateQueue:
    """Several instances: each handles what it received; Redis keeps a journal of it.

    An accepted update is written into this instance's in-flight hash (atomically
    with remembering its id) and removed once handled. Every instance beats a
    heartbeat key; when one stops beating (killed), another moves its in-flight
    hash into its own and handles what was there. A restart under the same name
    handles its own leftovers first.
    """

    def __init__(
        self,
        runner: UpdateRunner,
        redis: Redis,
        prefix: str,
        name: str,
        takeover_seconds: float,
        legacy_prefix: str | None = None,
    ) -> None:
        self._runner = runner
        # Where the journal was kept before the bot's id joined the prefix (b03b6e7):
        # this instance's own journal there is taken over once (``_take_over_legacy``).
        self._legacy = legacy_prefix if legacy_prefix != prefix else None
        # The ids it accepted are still remembered there for a day: a Telegram retry
        # across the upgrade is refused as a duplicate, not taken a second time.
        self._legacy_ids = self._legacy
        self._legacy_ids_until = time.monotonic() + DEDUPE_SECONDS
        self._redis = redis
        self._prefix = prefix
        self._name = name
        self._inflight = self._inflight_key(name)
        self._takeover_ms = max(1, int(takeover_seconds * 1000))
        self._put = redis.register_script(_PUT)
        self._adopt = redis.register_script(_ADOPT)
        self._stopped = asyncio.Event()
        self._beating: asyncio.Task[None] | None = None
        self._handling: set[str] = set()
        # Handled while Redis was out of reach: their entries go once it answers again,
        # or a restart would take them for unfinished and handle them once more.
        self._finished: set[str] = set()

    def _inflight_key(self, name: str) -> str:
        return f"{self._prefix}:inflight:{name}"

    def _alive_key(self, name: str) -> str:
        return f"{self._prefix}:alive:{name}"

    async def put(self, update_id: int, body: bytes) -> bool:
        if self._runner.stopping:
            raise RedisError("shutting down")
        keys = [f"{self._prefix}:update:{update_id}", self._inflight]
        if self._legacy_ids is not None:
            if time.monotonic() < self._legacy_ids_until:
                keys.append(f"{self._legacy_ids}:update:{update_id}")
            else:  # written before this instance started: gone by now
                self._legacy_ids = None
        accepted = bool(await self._put(keys=keys, args=[update_id, body, DEDUPE_SECONDS]))
        if not accepted:
            DUPLICATES.inc()
            return False
        await self._start(str(update_id), body)
        return True

    async def run(self) -> None:
        """Beat the heartbeat, handle own leftovers, take over what stopped instances left.

        The heartbeat has its own task: starting leftovers and adopted updates waits
        for free slots (slow handlers), and meanwhile the heartbeat must not lapse, or
        the others would take those updates over too and handle them a second time.
        Redis out of reach does not end it: it tries again until Redis answers. Ended,
        the heartbeat would lapse while this instance still takes updates, and the
        others would take over (and handle again) each one it journals. A stop ends the
        looking at once but not the heartbeat: ``stop`` ends that once the updates in
        flight have finished (or been cut short), however long after the takeover.
        """
        names = f"{self._prefix}:instances"
        joined = failing = False
        if not self._runner.stopping:  # a stop begun ends no heartbeat started after it
            self._beating = asyncio.create_task(self._keep_beating())
        try:
            while not self._runner.stopping:
                try:
                    if not joined:
                        await self._beat()  # alive before its leftovers are read: all ours
                        await self._redis.sadd(names, self._name)
                        for update_id, body in (await self._redis.hgetall(self._inflight)).items():
                            await self._start(str(update_id), body)
                        joined = True
                    await self._forget_finished()
                    await self._take_over(names)
                except RedisError as error:
                    if not failing:
                        log.warning("Redis unreachable (%s); trying again", type(error).__name__)
                    failing = True
                else:
                    if failing:
                        log.info("Redis reachable again")
                    failing = False
                await asyncio.sleep(self._pause())
        finally:
            if not self._runner.stopping:  # not a stop: cancelled, or failed
                await self._stop_beating()
            self._stopped.set()

    async def _keep_beating(self) -> None:
        # Not on the cancel alone: Redis's client may swallow it when it comes mid-call.
        while self._beating is not None:
            with contextlib.suppress(RedisError):  # ``run`` says so and tries again
                await self._beat()
            if self._beating is None:
                return
            await asyncio.sleep(self._pause())

    async def _stop_beating(self) -> None:
        if (beating := self._beating) is not None:
            self._beating = None
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)

    def _pause(self) -> float:
        """Between two beats (and two looks at the others): a third of the takeover."""
        return min(0.5, self._takeover_ms / 3000)

    async def _take_over(self, names: str) -> None:
        for member in await self._redis.smembers(names):
            name = str(member)
            if name != self._name:
                await self._adopt_from(self._prefix, name)
        if self._legacy is not None:
            await self._take_over_legacy(self._legacy)

    async def _take_over_legacy(self, legacy: str) -> None:
        """This instance's own journal of before the upgrade to per-bot keys, once. Not
        another's: those keys never named their bot, and two bots sharing a Redis and a
        prefix must not take each other's updates (each instance, its name the same
        after a restart, takes its own)."""
        await self._adopt_from(legacy, self._name)
        await self._redis.srem(f"{legacy}:instances", self._name)
        self._legacy = None

    async def _adopt_from(self, prefix: str, name: str) -> None:
        taken = await self._adopt(
            keys=[f"{prefix}:alive:{name}", f"{prefix}:inflight:{name}", self._inflight],
            args=[],
        )
        if taken:
            log.warning("took over %d updates of stopped %s", len(taken) // 2, name)
        for index in range(0, len(taken), 2):
            await self._start(taken[index], taken[index + 1])

    async def _forget_finished(self) -> None:
        """Remove the journal entries of the updates handled (one round trip)."""
        if self._finished:
            finished = list(self._finished)
            await self._redis.hdel(self._inflight, *finished)
            self._finished.difference_update(finished)

    async def _beat(self) -> None:
        await self._redis.set(self._alive_key(self._name), "1", px=self._takeover_ms)

    async def _start(self, update_id: str, body: str | bytes) -> None:
        if update_id in self._handling or update_id in self._finished:  # its entry is going
            return
        try:
            update = json.loads(body)
        except ValueError:
            update = None
        if not isinstance(update, dict):
            log.warning("journal entry %s is not an update; dropped", update_id)
            await self._redis.hdel(self._inflight, update_id)
            return
        self._handling.add(update_id)

        async def done() -> None:
            self._handling.discard(update_id)
            self._finished.add(update_id)
            with contextlib.suppress(RedisError):  # else removed by ``run`` or ``stop``
                await self._forget_finished()

        await self._runner.start_one(update, done)

    async def stop(self, within: float) -> bool:
        """Take no more; wait for what is in flight. What is left is taken over at once.

        The heartbeat goes on while the updates in flight finish: silent, it would lapse
        after ``takeover`` seconds (less than ``within`` if so set), and another instance
        would take over and handle again the updates this one is still finishing."""
        self._runner.stopping = True
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), timeout=2.0)
            if not (finished := await self._runner.wait(within)):
                cut_short(self._runner, "another instance takes them")
        finally:
            await self._stop_beating()  # before its key goes, or a last beat could renew it
        try:
            await self._forget_finished()
            await self._redis.delete(self._alive_key(self._name))
        except RedisError as error:  # the rest of the shutdown goes on
            # Handled updates left in the journal are handled again by whoever takes it.
            log.warning("Redis unreachable while stopping: %r", error)
        return finished
