"""Dialog state in Redis under REDIS_PREFIX and the bot's id (``bot.fsm_storage``): two
bots sharing a Redis keep a member's dialogs apart, and a dialog kept under the keys of
before (``fsm:<chat>:<user>``) goes on after the upgrade, the old keys gone."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bot.app import App, build_app
from bot.fsm_storage import BotRedisStorage
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clock import ManualClock
from handlers.settings.states import SettingsFlow
from tests.conftest import make_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")

URL = REDIS_URL.rstrip("/") + "/11"


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """The test's client (each test removes its own keys: its owner's and prefix's)."""
    client = Redis.from_url(URL, decode_responses=True)
    yield client
    await client.aclose()


async def _forget(redis: Redis, *patterns: str) -> None:
    for pattern in patterns:
        keys = [key async for key in redis.scan_iter(pattern)]
        if keys:
            await redis.delete(*keys)


async def _app(
    database_url: str, clock: ManualClock, owner_id: int, prefix: str, token: str
) -> App:
    settings = make_settings(
        database_url, redis_url=URL, owner_ids=(owner_id,), redis_prefix=prefix, bot_token=token
    )
    app = build_app(settings, session=OfflineSession(), clock=clock)
    await prepare_database(app)
    return app


async def _zone(app: App, member_id: int) -> str:
    async with app.crm.open() as crm:
        member = await crm.members.get_active(member_id)
    assert member is not None
    return member.timezone


async def test_two_bots_sharing_a_redis_keep_a_members_dialogs_apart(
    database_url: str, clock: ManualClock, redis: Redis
) -> None:
    """The owner asked for a time zone by one bot writes "Asia/Omsk" to the other first:
    the other does not take it for the answer, and the first still waits for it."""
    owner_id = random.randrange(10**9, 2 * 10**9)
    prefix = f"kt-fsm-{uuid.uuid4().hex[:8]}"
    first = await _app(database_url, clock, owner_id, prefix, "111111:first")
    second = await _app(database_url, clock, owner_id, prefix, "222222:second")
    try:
        in_first = SimulatedUser(first.dispatcher, first.bot, owner_id, language_code="ru")
        in_second = SimulatedUser(second.dispatcher, second.bot, owner_id, language_code="ru")
        await in_first.send("/settings")
        await in_first.press("Сменить часовой пояс")
        await in_second.send("Asia/Omsk")
        assert await _zone(second, owner_id) == "Europe/Moscow"
        [reply] = await in_first.send("Asia/Omsk")
        assert "Asia/Omsk" in reply.text
        assert await _zone(first, owner_id) == "Asia/Omsk"
    finally:
        await first.close()
        await second.close()
        await _forget(redis, f"{prefix}:*", f"fsm:*{owner_id}*")


async def test_a_dialog_open_at_the_upgrade_goes_on_under_the_new_keys(
    database_url: str, clock: ManualClock, redis: Redis
) -> None:
    owner_id = random.randrange(10**9, 2 * 10**9)
    prefix = f"kt-fsm-{uuid.uuid4().hex[:8]}"
    assert SettingsFlow.timezone.state is not None
    await redis.set(f"fsm:{owner_id}:{owner_id}:state", SettingsFlow.timezone.state)
    app = await _app(database_url, clock, owner_id, prefix, "333333:upgraded")
    try:
        owner = SimulatedUser(app.dispatcher, app.bot, owner_id, language_code="ru")
        await owner.send("Asia/Omsk")
        assert await _zone(app, owner_id) == "Asia/Omsk"
        assert [key async for key in redis.scan_iter(f"fsm:*{owner_id}*")] == []
    finally:
        await app.close()
        await _forget(redis, f"{prefix}:*", f"fsm:*{owner_id}*")


@pytest.mark.parametrize("read_first", [True, False])
async def test_old_data_is_moved_when_read_and_gone_when_written_over(
    redis: Redis, read_first: bool
) -> None:
    """A dialog's data under the old key: read, it moves to the new key; cleared without
    being read (a dialog ended at once), it does not come back from the old key later."""
    prefix = f"kt-fsm-{uuid.uuid4().hex[:8]}"
    user = random.randrange(10**9, 2 * 10**9)
    key = StorageKey(bot_id=444444, chat_id=user, user_id=user, destiny="asked")
    storage = BotRedisStorage(Redis.from_url(URL), prefix)
    old = f"fsm:{user}:{user}:asked:data"
    await redis.set(old, '{"asked": [1, 2]}')
    try:
        if read_first:
            assert await storage.get_data(key) == {"asked": [1, 2]}
            assert await redis.get(f"{prefix}:fsm:444444:{user}:{user}:asked:data")
        else:
            await storage.set_data(key, {})
            assert await storage.get_data(key) == {}
        assert not await redis.exists(old)
    finally:
        await storage.close()
        await _forget(redis, f"{prefix}:*", f"fsm:*{user}*")


@pytest.mark.parametrize("first_touch", ["get_state", "get_data", "set_state"])
async def test_two_bots_upgraded_at_once_never_split_a_dialog_of_before(
    redis: Redis, first_touch: str
) -> None:
    """Two bots sharing a Redis during a rolling upgrade, a member's dialog of before under
    the old keys: the bot that touches it first takes it whole, state and data, and the
    other finds none of it. Each part moved on its own when first read: one bot took the
    state, the other (reading the data before the first did) the data. The two bots'
    storages are driven in turn, in the order that split it."""
    prefix = f"kt-fsm-{uuid.uuid4().hex[:8]}"
    user = random.randrange(10**9, 2 * 10**9)
    state = SettingsFlow.timezone.state
    first = BotRedisStorage(Redis.from_url(URL), prefix)
    second = BotRedisStorage(Redis.from_url(URL), prefix)
    in_first = StorageKey(bot_id=555001, chat_id=user, user_id=user)
    in_second = StorageKey(bot_id=555002, chat_id=user, user_id=user)
    await redis.set(f"fsm:{user}:{user}:state", str(state))
    await redis.set(f"fsm:{user}:{user}:data", '{"step": 2}')
    try:
        if first_touch == "get_state":
            assert await first.get_state(in_first) == state
        elif first_touch == "get_data":
            assert await first.get_data(in_first) == {"step": 2}
        else:
            await first.set_state(in_first, state)
        assert await second.get_data(in_second) == {}
        assert await second.get_state(in_second) is None
        assert await first.get_state(in_first) == state
        assert await first.get_data(in_first) == {"step": 2}
        assert [key async for key in redis.scan_iter(f"fsm:*{user}*")] == []
    finally:
        await first.close()
        await second.close()
        await _forget(redis, f"{prefix}:*", f"fsm:*{user}*")
