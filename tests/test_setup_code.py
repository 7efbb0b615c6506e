"""With no OWNER_IDS, a one-time setup code makes its first sender the owner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import announce_setup_code, prepare_database
from crm.clock import ManualClock
from crm.setup_codes import SETUP_CODE_KEY, setup_code_key
from storage.engine import create_session_factory
from storage.models import AppSetting, User
from tests.conftest import make_settings
from tests.test_access import REFUSAL_EN, REFUSAL_RU


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
        assert await crm.setup_codes.issue() is None


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


async def test_a_setup_code_expires_after_a_day_and_a_restart_logs_a_new_one(
    ownerless: App, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The code is in the server's log: it works for 24 hours (the log says until when), then
    it is refused with what to do, and nothing of the sender is kept; a restart gives a new one."""
    code = await logged_code(ownerless, caplog)
    [line] = [r.getMessage() for r in caplog.records if "no owner" in r.getMessage()]
    assert "The code works until 2026-03-03 09:00 UTC" in line

    clock.advance(timedelta(hours=24))
    for user_id, language, expected in (
        (
            7,
            "ru",
            "Срок этого кода настройки истёк. Попросите того, кто запускает бота, "
            "перезапустить его: бот запишет в журнал новый код.",
        ),
        (
            8,
            "en",
            "This setup code has expired. Ask whoever runs the bot to restart it: "
            "it writes a new code to its log.",
        ),
    ):
        late = SimulatedUser(ownerless.dispatcher, ownerless.bot, user_id, language_code=language)
        [reply] = await late.send(f"/start {code}")
        assert reply.text == expected
    async with create_session_factory(ownerless.engine)() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0

    # Restarted: the old code is gone for good, the new one works (until its own day is up).
    fresh = await logged_code(ownerless, caplog)
    async with create_session_factory(ownerless.engine)() as session:
        keys = list(await session.scalars(select(AppSetting.key)))
    assert [key for key in keys if key.startswith(SETUP_CODE_KEY)] == [setup_code_key(fresh)]
    clock.advance(timedelta(hours=23, minutes=59))
    person = SimulatedUser(ownerless.dispatcher, ownerless.bot, 9, "Ирина", language_code="ru")
    replies = await person.send(f"/start {fresh}")
    assert replies[0].text == "Теперь вы владелец этой Картотеки."
    [reply] = await late.send(f"/start {code}")
    assert reply.text == REFUSAL_EN  # no owner to be made any more: just a stranger


@pytest.mark.parametrize("issued", [{}, {"issued_at": ""}, {"issued_at": "2026-03-02T09:00:00"}])
async def test_a_setup_code_of_unknown_age_admits_nobody(
    ownerless: App, issued: dict[str, str]
) -> None:
    async with create_session_factory(ownerless.engine)() as session:
        session.add(AppSetting(key=setup_code_key("a-code-of-unknown-age"), value=issued))
        await session.commit()
    person = SimulatedUser(ownerless.dispatcher, ownerless.bot, 10, language_code="en")
    [reply] = await person.send("/start a-code-of-unknown-age")
    assert reply.text.startswith("This setup code has expired.")
    async with create_session_factory(ownerless.engine)() as session:
        assert await session.get(User, 10) is None
