"""With Redis, a chat's lock outlives a slow update: the update is not called a
failure after its work was done, and the chat's next update waits for it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

import pytest
from redis.asyncio import Redis

from bot.app import build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.backups import BackupFile, Backups
from crm.clock import ManualClock
from storage.models import User
from tests.conftest import OWNER_ID, make_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")

FAILED = ("Something went wrong", "сломалось")


async def _locks(redis: Redis) -> list[str]:
    return [key async for key in redis.scan_iter("*:fsm:*lock*")]


async def _backup(
    database_url: str,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    meanwhile: Callable[[Redis], Awaitable[None]],
    **overrides: object,
) -> list[str]:
    """/backup with Redis, ``meanwhile`` run once the dump is made; its replies' texts,
    after checking no chat lock is left behind."""
    url = REDIS_URL.rstrip("/") + "/12"
    redis = Redis.from_url(url, decode_responses=True)
    await redis.flushdb()
    settings = make_settings(database_url, redis_url=url, **overrides)
    original = Backups.make

    async def make(self: Backups, actor: User) -> BackupFile:
        made = await original(self, actor)
        await meanwhile(redis)
        return made

    monkeypatch.setattr(Backups, "make", make)
    app = build_app(settings, session=OfflineSession(), clock=clock)
    await prepare_database(app)
    owner = SimulatedUser(app.dispatcher, app.bot, OWNER_ID, language_code="en")
    replies = await owner.send("/backup")
    left = await _locks(redis)
    await app.close()
    await redis.flushdb()
    await redis.aclose()
    assert left == [], "the lock was not released"
    texts = [getattr(r, "text", None) or getattr(r, "caption", None) or "" for r in replies]
    assert any("bot restore" in text for text in texts), texts
    return texts


async def test_a_backup_slower_than_the_lock_keeps_it_and_is_not_a_failure(
    database_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    held_at_the_end: list[list[str]] = []

    async def slow(redis: Redis) -> None:
        await asyncio.sleep(6)  # a large base: the dump takes a while
        held_at_the_end.append(await _locks(redis))

    # The chat's lock expires after 5 s unless kept.
    texts = await _backup(database_url, clock, monkeypatch, slow, update_takeover_seconds=2.5)
    assert held_at_the_end and held_at_the_end[0], "the chat's lock expired during the update"
    assert not any(word in text for word in FAILED for text in texts), texts


async def test_a_lock_lost_meanwhile_is_logged_not_told_as_a_failure(
    database_url: str,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def lost(redis: Redis) -> None:
        for key in await _locks(redis):  # as if Redis had been away past its timeout
            await redis.delete(key)

    texts = await _backup(database_url, clock, monkeypatch, lost)
    assert not any(word in text for word in FAILED for text in texts), texts
    assert "had expired before its update finished" in caplog.text
