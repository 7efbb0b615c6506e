"""Dialog state in Redis under REDIS_PREFIX and the bot's id, carried over from the
keys of before (``fsm:<chat>:<user>``, no bot, no prefix: two bots sharing a Redis
shared a member's dialog, one answering the other's question).

A key is read at its new place; missing there, the old key (``bot.fsm_keys``) moves
there in the same Redis call, so a dialog open at the upgrade goes on. A write (or a
clear) removes the old key too, or a dialog's data cleared before it was ever read
would come back from the old key later."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.fsm_keys import DestinyKeys

_GET = """
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[1])
end
return redis.call('GET', KEYS[1])
"""
_SET = """
redis.call('DEL', KEYS[2])
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 0
"""


def bot_keys(redis_prefix: str) -> KeyBuilder:
    """``<REDIS_PREFIX>:fsm:<bot id>:<chat>:<user>:<destiny>:<state|data|lock>``."""
    return DefaultKeyBuilder(prefix=f"{redis_prefix}:fsm", with_bot_id=True, with_destiny=True)


class BotRedisStorage(RedisStorage):
    """aiogram's Redis storage (no expiry) under ``bot_keys``, reading the old keys once."""

    def __init__(self, redis: Redis, redis_prefix: str) -> None:
        super().__init__(redis, key_builder=bot_keys(redis_prefix))
        self.old_keys: KeyBuilder = DestinyKeys()
        self._get = redis.register_script(_GET)
        self._set = redis.register_script(_SET)

    @classmethod
    def for_url(cls, url: str, redis_prefix: str) -> BotRedisStorage:
        return cls(Redis.from_url(url), redis_prefix)

    def _keys(self, key: StorageKey, part: Literal["data", "state"]) -> list[str]:
        return [self.key_builder.build(key, part), self.old_keys.build(key, part)]

    async def _read(self, key: StorageKey, part: Literal["data", "state"]) -> str | None:
        value = await self._get(keys=self._keys(key, part))
        return value.decode() if isinstance(value, bytes) else cast(str | None, value)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._set(keys=self._keys(key, "state"), args=[value or ""])

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._read(key, "state")

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        value = self.json_dumps(data) if data else ""
        await self._set(keys=self._keys(key, "data"), args=[value])

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        value = await self._read(key, "data")
        return {} if value is None else cast(dict[str, Any], self.json_loads(value))
