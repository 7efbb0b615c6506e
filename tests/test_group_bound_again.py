"""A group bound again by another owner (/bind sent there once more) kept its first binder:
when the bot could no longer write there, the owner who bound it first was told (in their
language), not the one who bound it last. The group follows its last binder now."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clock import ManualClock
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, UserFactory, make_settings

GROUP = -100_777
SECOND_OWNER = 7702
KICKED = TelegramForbiddenError(
    SendMessage(chat_id=GROUP, text="…"), "Forbidden: bot was kicked from the group chat"
)


@pytest.fixture
async def app(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    """A team of two owners (OWNER_IDS), Olga reading English and Pavel Russian."""
    settings = make_settings(
        database_url, default_language="en", owner_ids=(OWNER_ID, SECOND_OWNER)
    )
    application = build_app(settings, session=OfflineSession(), clock=clock)
    await prepare_database(application)
    async with application.crm.open() as crm:
        for owner_id, language in ((OWNER_ID, "en"), (SECOND_OWNER, "ru")):
            owner = await crm.members.get_active(owner_id)
            assert owner is not None
            await crm.members.set_language(owner, language)
    yield application
    await application.close()


async def bind(user: UserFactory, owner_id: int, name: str) -> SimulatedUser:
    in_group = user(owner_id, name, chat_id=GROUP)  # a group titled "Team"
    [screen] = await in_group.send("/bind")
    assert screen.text.startswith(("This chat hears about:", "Этот чат получает уведомления:"))
    return in_group


def told(app: App, chat_id: int) -> list[str]:
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    return [m.text for m in session.chat_order if m.chat_id == chat_id]


async def test_the_owner_who_bound_the_group_last_is_told_it_was_left(
    app: App, user: UserFactory
) -> None:
    await bind(user, OWNER_ID, "Olga")
    await bind(user, SECOND_OWNER, "Pavel")
    await app.ticker.tick()  # what else is due (the owners' summaries) is out of the way
    before = len(told(app, OWNER_ID))
    session = app.bot.session
    assert isinstance(session, OfflineSession)
    await make_client(app, OWNER_ID, "Anna")
    session.answer_next(KICKED, SendMessage)  # the group's announcement: the bot was removed
    await app.ticker.tick()
    await app.ticker.tick()

    assert told(app, OWNER_ID)[before:] == []
    [notice] = [t for t in told(app, SECOND_OWNER) if "Team" in t]
    assert notice.startswith("Я больше не могу писать в группу «Team»")
    async with app.crm.open() as crm:
        assert await crm.groups.get(GROUP) is None
