"""A send button that has sent stays sent after /cancel (or any dialog's end), which
clears the chat's dialog state and data: what the buttons sent is kept apart from them,
in the same FSM storage (``handlers.kit.once``), with the memory storage of one instance
and the Redis storage of several alike."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clients import ClientDraft
from crm.clock import ManualClock
from handlers.clients.callbacks import ClientCb
from handlers.kit.once import SENT
from storage.models import Client
from tests.conftest import make_settings
from tests.test_templates_flow import word_file

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


@pytest.fixture(
    params=[
        "memory",
        pytest.param(
            "redis", marks=pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")
        ),
    ]
)
async def bot_of(
    request: pytest.FixtureRequest, database_url: str, clock: ManualClock
) -> AsyncIterator[tuple[App, int]]:
    """The app with the storage of ``request.param``, and its owner: one of their own, so
    that the Redis keys of this test are no other test's (the database is shared)."""
    owner_id = random.randrange(10**9, 2 * 10**9)
    url = REDIS_URL.rstrip("/") + "/14" if request.param == "redis" else None
    settings = make_settings(database_url, redis_url=url, owner_ids=(owner_id,))
    app = build_app(settings, session=OfflineSession(), clock=clock)
    assert isinstance(app.dispatcher.storage, RedisStorage) == (url is not None)
    await prepare_database(app)
    try:
        yield app, owner_id
    finally:
        await app.close()
        if url is not None:
            redis = Redis.from_url(url)
            keys = [key async for key in redis.scan_iter(f"*fsm:*{owner_id}*")]
            if keys:
                await redis.delete(*keys)
            await redis.aclose()


async def redis_keys(app: App, owner_id: int, destiny: str) -> list[bytes] | None:
    """The owner's keys of ``destiny`` in Redis; None with the memory storage."""
    storage = app.dispatcher.storage
    if not isinstance(storage, RedisStorage):
        return None
    return [key async for key in storage.redis.scan_iter(f"*:fsm:*{owner_id}*:{destiny}:*")]


async def english_owner(app: App, owner_id: int) -> SimulatedUser:
    """The owner of ``bot_of``, reading the bot in English."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(owner_id)
        assert me is not None
        await crm.members.set_language(me, "en")
    return SimulatedUser(app.dispatcher, app.bot, owner_id, "Olga", language_code="en")


async def test_a_send_button_pressed_again_after_cancel_is_already_sent(
    bot_of: tuple[App, int],
) -> None:
    app, owner_id = bot_of
    owner = await english_owner(app, owner_id)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(owner_id)
        assert me is not None
        await crm.templates.add_docx(me, "Offer doc", word_file(["For {client.name}"]))
        client = await crm.clients.create(me, ClientDraft(name="Ivan Petrov"), force=True)
        assert isinstance(client, Client)
    [card] = await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    [picked] = await owner.press("📨 Send", card)
    await owner.press("📄 Offer doc", picked)
    await owner.send("/cancel")
    assert await owner.press("📄 Offer doc", picked) == []
    assert owner.alert == "Already sent."
    documents = [m for m in owner.chat_messages() if m.method == "SendDocument"]
    assert len(documents) == 1
    assert await redis_keys(app, owner_id, SENT) != [], "nothing was kept in Redis"
