"""Two bots sharing one Redis (the same REDIS_PREFIX): each runs its own clock and
journal, while the instances of one bot still share theirs."""

from __future__ import annotations

import os
import uuid

import pytest
from redis.asyncio import Redis

from bot.app import build_app
from bot.offline import OfflineSession
from bot.runner import TICK
from crm.clock import ManualClock
from tests.conftest import make_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


@pytest.mark.parametrize(
    ("second_token", "second_holds"),
    [("222:BBB", True), ("111:AAA", False)],
    ids=["another-bot", "same-bot"],
)
async def test_the_tick_lease_is_per_bot(
    database_url: str, clock: ManualClock, second_token: str, second_holds: bool
) -> None:
    prefix = f"kt-bots-{uuid.uuid4().hex[:8]}"
    apps = [
        build_app(
            make_settings(
                database_url,
                redis_url=REDIS_URL,
                redis_prefix=prefix,
                bot_token=token,
                instance_name=name,
            ),
            session=OfflineSession(),
            clock=clock,
        )
        for token, name in (("111:AAA", "a"), (second_token, "b"))
    ]
    try:
        assert await apps[0].leases.hold(TICK, 30)
        assert await apps[1].leases.hold(TICK, 30) is second_holds
    finally:
        for app in apps:
            await app.leases.release_all()
            await app.close()
        async with Redis.from_url(REDIS_URL) as cleanup:
            keys = [key async for key in cleanup.scan_iter(f"{prefix}:*")]
            if keys:
                await cleanup.delete(*keys)
