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


async def logged_code(app: App, caplog: pytest.LogCaptureFixture) -> str:
    """Start ``app`` (the start-up's steps) and read the setup code it logs."""
    caplog.clear()
    with caplog.at_level("WARNING"):
        await prepare_database(app)
        await announce_setup_code(app, "kartoteka_bot")
    [line] = [r.getMessage() for r in caplog.records if "no owner" in r.getMessage()]
    return line.split("https://t.me/kartoteka_bot?start=")[1].split()[0]


@pytest.mark.parametrize("used", [0, 1], ids=["the first's code", "the second's code"])
async def test_two_instances_started_on_a_new_database_each_log_a_code_that_works(
    database_url: str, clock: ManualClock, caplog: pytest.LogCaptureFixture, used: int
) -> None:
    """Each instance started with no owner logs its own code: whichever the person is given
    works (not only the last one logged), through either instance, and then none does."""
    settings = make_settings(database_url, owner_ids=())
    apps = [build_app(settings, session=OfflineSession(), clock=clock) for _ in range(2)]
    try:
        codes = [await logged_code(app, caplog) for app in apps]
        assert codes[0] != codes[1]
        through = apps[1 - used]
        person = SimulatedUser(through.dispatcher, through.bot, 5, language_code="ru")
        replies = await person.send(f"/start {codes[used]}")
        assert replies[0].text == "Теперь вы владелец этой Картотеки."
        late = SimulatedUser(apps[used].dispatcher, apps[used].bot, 6, language_code="ru")
        [reply] = await late.send(f"/start {codes[1 - used]}")
        assert reply.text == REFUSAL_RU
        async with create_session_factory(apps[0].engine)() as session:
            assert await session.get(User, 6) is None
        # Started again, neither logs a code: there is an owner.
        caplog.clear()
        with caplog.at_level("WARNING"):
            await announce_setup_code(apps[0], "kartoteka_bot")
        assert not [r for r in caplog.records if "no owner" in r.getMessage()]
    finally:
        for app in apps:
            await app.close()
