"""The app under test is built by the production factory on the offline Bot API.

Every test that takes ``app`` (or a user fixture) runs once on SQLite and, when
TEST_POSTGRES_URL is set, once more on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.config import Settings
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clock import ManualClock
from reminders.limits import RateLimits
from storage.engine import create_engine
from tests import databases

OWNER_ID = 100_001


# Telegram's limits on the sender, in real time, would make a test wait a second per
# message to one chat (three to a group): the tests of the pacing itself
# (test_outbox_sender, test_reminders_engine, test_flood) build the sender's limits as the
# bot does.
def unhurried() -> RateLimits:
    return RateLimits(per_second=1e6, chat_interval=0.0, group_per_minute=1_000_000)


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 12:00 in Moscow


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        backends = ["sqlite"]
        if databases.postgres_admin_url():
            backends.append("postgres")
        metafunc.parametrize("backend", backends, scope="session")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(
                databases.postgres_admin_url() is None, reason="TEST_POSTGRES_URL is not set"
            ),
        ),
    ]
)
async def empty_engine(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_blank_url: str | None
) -> AsyncIterator[AsyncEngine]:
    """A database with no tables at all: a SQLite file, or PostgreSQL's as a new database is."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    else:
        assert postgres_blank_url is not None
        await databases.blank_postgres(postgres_blank_url)
        engine = create_engine(postgres_blank_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def postgres_blank_url() -> Iterator[str | None]:
    """A PostgreSQL database of the run's own for tests of a new database, blanked by each
    (``databases.blank_postgres``)."""
    admin = databases.postgres_admin_url()
    if admin is None:
        yield None
        return
    url = databases.create_postgres_database(admin, migrated=False)
    yield url
    databases.drop_postgres_database(admin, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.make_sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    admin = databases.postgres_admin_url()
    if admin is None:
        yield None
        return
    url = databases.create_postgres_database(admin)
    yield url
    databases.drop_postgres_database(admin, url)


@pytest.fixture
async def database_url(
    backend: str, sqlite_template: Path, postgres_url: str | None, tmp_path: Path
) -> str:
    """A migrated, empty database of the test's backend."""
    if backend == "sqlite":
        return databases.sqlite_copy(sqlite_template, tmp_path)
    assert postgres_url is not None
    await databases.empty_postgres(postgres_url)
    return postgres_url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": None,
        "database_url": database_url,
        "owner_ids": (OWNER_ID,),
        "telegram_api_url": None,
        "default_timezone": "Europe/Moscow",
        "default_language": "ru",
        "default_phone_region": "RU",
        "log_level": "INFO",
        "redis_url": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@asynccontextmanager
async def app_with(
    database_url: str, clock: ManualClock, **overrides: object
) -> AsyncIterator[App]:
    """The app the ``app`` fixture gives, with settings ``overrides`` (``make_settings``)."""
    settings = make_settings(database_url, **overrides)
    application = build_app(settings, session=OfflineSession(), clock=clock, limits=unhurried())
    await prepare_database(application)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
async def app(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    async with app_with(database_url, clock) as application:
        yield application


@pytest.fixture
async def several(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    """The bot as one of several instances (``INSTANCES=2``): no member's row nor open
    card is kept in the process."""
    async with app_with(database_url, clock, instances=2) as application:
        yield application


@pytest.fixture
def session(app: App) -> OfflineSession:
    assert isinstance(app.bot.session, OfflineSession)
    return app.bot.session


UserFactory = Callable[..., SimulatedUser]


@pytest.fixture
def user(app: App) -> UserFactory:
    """Makes a simulated Telegram user: ``user(42, language_code="en")``."""

    def _make(user_id: int, first_name: str | None = None, **kwargs: object) -> SimulatedUser:
        return SimulatedUser(
            app.dispatcher,
            app.bot,
            user_id,
            first_name=first_name or f"User{user_id}",
            **kwargs,  # type: ignore[arg-type]
        )

    return _make


@pytest.fixture
def owner(user: UserFactory) -> SimulatedUser:
    return user(OWNER_ID, "Ольга", last_name="Владелец", language_code="ru")


@pytest.fixture
async def owner_en(app: App, user: UserFactory) -> SimulatedUser:
    """The owner, reading the bot in English (most flow tests use English text)."""
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        await crm.members.set_language(member, "en")
    return user(OWNER_ID, "Olga", last_name="Owner", language_code="en")


Joiner = Callable[..., Awaitable[SimulatedUser]]


@pytest.fixture
def join(app: App, owner: SimulatedUser, user: UserFactory) -> Joiner:
    """Brings a new member in the way people do: the owner invites, the person opens the link."""

    async def _join(
        user_id: int, role: str = "manager", first_name: str | None = None, **kwargs: object
    ) -> SimulatedUser:
        link = await invite_link(owner, role)
        person = user(user_id, first_name, **kwargs)
        await person.send(f"/start {link.rsplit('=', 1)[1]}")
        return person

    return _join


async def invite_link(inviter: SimulatedUser, role: str) -> str:
    """The owner (or an admin) runs /invite and picks ``role``; returns the link."""
    from handlers.team.callbacks import InviteRoleCb

    [keyboard] = await inviter.send("/invite")
    [reply] = await inviter.press_data(InviteRoleCb(role=role).pack(), keyboard)
    return next(line for line in reply.text.splitlines() if line.startswith("https://t.me/"))
