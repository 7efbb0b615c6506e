"""With REDIS_URL set, a dialog survives a restart of the bot (state lives in Redis)."""

from __future__ import annotations

import os

import pytest
from redis.asyncio import Redis

from bot.app import build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clock import ManualClock
from tests.conftest import OWNER_ID, make_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


async def test_dialog_state_survives_a_restart(database_url: str, clock: ManualClock) -> None:
    url = REDIS_URL.rstrip("/") + "/15"
    redis = Redis.from_url(url)
    await redis.flushdb()
    settings = make_settings(database_url, redis_url=url)

    first = build_app(settings, session=OfflineSession(), clock=clock)
    await prepare_database(first)
    owner = SimulatedUser(first.dispatcher, first.bot, OWNER_ID, language_code="ru")
    await owner.send("/settings")
    await owner.press("Сменить часовой пояс")
    await first.close()
    assert [key async for key in redis.scan_iter("*:fsm:*")], "the state was not written to Redis"

    second = build_app(settings, session=OfflineSession(), clock=clock)
    owner = SimulatedUser(second.dispatcher, second.bot, OWNER_ID, language_code="ru")
    [reply] = await owner.send("Asia/Omsk")
    assert "Asia/Omsk" in reply.text
    await second.close()
    await redis.flushdb()
    await redis.aclose()
