"""With no OWNER_IDS, a one-time setup code makes its first sender the owner."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import announce_setup_code, prepare_database
from crm.clock import ManualClock
from storage.engine import create_session_factory
from storage.models import User
from tests.conftest import make_settings
from tests.test_access import REFUSAL_RU


@pytest.fixture
async def ownerless(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    app = build_app(
        make_settings(database_url, owner_ids=()), session=OfflineSession(), clock=clock
    )
    await prepare_database(app)
    yield app
    await app.close()


async def issue_code(app: App) -> str:
    async with app.crm.open() as crm:
        code = await crm.members.issue_setup_code()
    assert code is not None
    return code


async def test_setup_code_makes_the_first_sender_owner_once(
    ownerless: App, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING"):
        await announce_setup_code(ownerless, "kartoteka_bot")
    [line] = [r.getMessage() for r in caplog.records if "no owner" in r.getMessage()]
    code = line.split("https://t.me/kartoteka_bot?start=")[1].split()[0]

    wrong = SimulatedUser(ownerless.dispatcher, ownerless.bot, 1, language_code="ru")
    [reply] = await wrong.send("/start wrong-code")
    assert reply.text == REFUSAL_RU

    first = SimulatedUser(ownerless.dispatcher, ownerless.bot, 2, "Ирина", language_code="ru")
    replies = await first.send(f"/start {code}")
    assert replies[0].text == "Теперь вы владелец этой Картотеки."
    async with create_session_factory(ownerless.engine)() as session:
        owner = await session.get(User, 2)
    assert owner is not None and owner.role == "owner" and owner.active

    second = SimulatedUser(ownerless.dispatcher, ownerless.bot, 3, language_code="ru")
    [reply] = await second.send(f"/start {code}")
    assert reply.text == REFUSAL_RU
    # Once there is an owner, no new code is issued.
    async with ownerless.crm.open() as crm:
        assert await crm.members.issue_setup_code() is None


async def test_a_new_start_replaces_the_old_code(ownerless: App) -> None:
    old = await issue_code(ownerless)
    new = await issue_code(ownerless)
    person = SimulatedUser(ownerless.dispatcher, ownerless.bot, 5, language_code="ru")
    [reply] = await person.send(f"/start {old}")
    assert reply.text == REFUSAL_RU
    replies = await person.send(f"/start {new}")
    assert replies[0].text == "Теперь вы владелец этой Картотеки."
