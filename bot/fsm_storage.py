"""Dialog state in Redis under REDIS_PREFIX and the bot's id, carried over from the
keys of before (``fsm:<chat>:<user>``, no bot, no prefix: two bots sharing a Redis
shared a member's dialog, one answering the other's question).

A key is read at its new place. While the bot has neither part of the dialog there
(its state or its data), both old keys (``bot.fsm_keys``) move there at once, in the
one Redis script that reads or writes, so a dialog open at the upgrade goes on, and
goes on whole on the bot that touches it first. Each part moved when first read on its
own let two bots sharing a Redis during a rolling upgrade split a member's dialog: one
took its state, the other its data. A write (or a clear) removes the old key too, or a
dialog's data cleared before it was ever read would come back from the old key later."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.fsm_keys import DestinyKeys

# KEYS: the bot's state and data keys, then the old ones; ARGV[1]: 1 state, 2 data.
_CARRY = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) == 0 then
  for new = 1, 2 do
    if redis.call('EXISTS', KEYS[new + 2]) == 1 then
      redis.call('RENAME', KEYS[new + 2], KEYS[new])
    end
  end
end
local part = tonumber(ARGV[1])
"""
_GET = _CARRY + "return redis.call('GET', KEYS[part])"
_SET = (
    _CARRY
    + """
redis.call('DEL', KEYS[part + 2])
if ARGV[2] == '' then
  redis.call('DEL', KEYS[part])
else
  redis.call('SET', KEYS[part], ARGV[2])
end
return 0
"""
)
_PARTS = {"state": "1", "data": "2"}


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

    def _keys(self, key: StorageKey) -> list[str]:
        """The dialog's state and data keys, new then old (``_CARRY``)."""
        builders = (self.key_builder, self.old_keys)
        return [keys.build(key, part) for keys in builders for part in ("state", "data")]

    async def _read(self, key: StorageKey, part: Literal["data", "state"]) -> str | None:
        value = await self._get(keys=self._keys(key), args=[_PARTS[part]])
        return value.decode() if isinstance(value, bytes) else cast(str | None, value)

    async def _write(self, key: StorageKey, part: Literal["data", "state"], value: str) -> None:
        await self._set(keys=self._keys(key), args=[_PARTS[part], value])

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, "state", value or "")

    async def get_state(self, key: StorageKey) -> str | None:
        return await self._read(key, "state")

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        value = self.json_dumps(data) if data else ""
        await self._write(key, "data", value)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        value = await self._read(key, "data")
        return {} if value is None else cast(dict[str, Any], self.json_loads(value))
