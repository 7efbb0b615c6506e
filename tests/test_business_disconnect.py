"""A Business disconnection is recorded whoever sends it: it only ever takes rights away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiogram.methods import GetBusinessConnection
from aiogram.types import BusinessBotRights
from aiogram.types import BusinessConnection as TgBusinessConnection
from sqlalchemy import select

from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from storage.models import BusinessConnection, Client
from tests.conftest import OWNER_ID, Joiner

MAX = 200_002
IVAN = customer(900_001, "Ivan", "Petrov", username="ivanp")


@pytest.fixture
async def max_(join: Joiner) -> SimulatedUser:
    return await join(MAX, first_name="Max", language_code="en")


@pytest.fixture
async def account(app: App, max_: SimulatedUser) -> SimulatedBusiness:
    """Max's Telegram Business account, connected."""
    account = SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-max")
    await account.connect()
    return account


async def connections(app: App) -> list[tuple[str, int, bool]]:
    async with app.crm.open() as crm:
        rows = await crm.clients._session.scalars(select(BusinessConnection))
        return [(row.id, row.user_id, row.enabled) for row in rows]


async def set_active(app: App, member_id: int, active: bool) -> None:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_active(owner, member_id, active)


async def test_a_deactivated_members_disconnection_is_recorded_and_nothing_said(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await set_active(app, MAX, False)
    before = len(account.session.requests)
    assert await account.connect(enabled=False) == []
    assert account.session.requests[before:] == []  # not a word to him, nor anything asked
    assert await connections(app) == [("conn-max", MAX, False)]
    # Let back in, his account is not taken as connected: its chats are not recorded.
    await set_active(app, MAX, True)
    await account.writes(IVAN, "Hello")
    async with app.crm.open() as crm:
        assert list(await crm.clients._session.scalars(select(Client))) == []
    [settings] = await max_.send("/settings")
    assert "Telegram Business: connected" not in settings.text


async def test_a_strangers_disconnection_changes_nobody_elses_connection(
    app: App, account: SimulatedBusiness
) -> None:
    stranger = customer(300_003, "Eve")
    forged = SimulatedBusiness(app.dispatcher, app.bot, stranger, connection_id="conn-max")
    assert await forged.connect(enabled=False) == []
    unknown = SimulatedBusiness(app.dispatcher, app.bot, stranger, connection_id="conn-eve")
    assert await unknown.connect(enabled=False) == []
    assert await connections(app) == [("conn-max", MAX, True)]


async def test_reconnected_while_deactivated_the_account_is_taken_again_once_let_back_in(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    """His disconnection recorded while he was out, his connecting again refused (not a
    member then): Telegram does not report it again, so the bot asks at the next message."""
    await set_active(app, MAX, False)
    await account.connect(enabled=False)
    assert await account.connect() == []  # refused: not a member now
    await set_active(app, MAX, True)
    account.session.answer_next(telegram_says(max_, True), GetBusinessConnection)
    await account.writes(IVAN, "Hello")
    assert await connections(app) == [("conn-max", MAX, True)]
    async with app.crm.open() as crm:
        [client] = await crm.clients._session.scalars(select(Client))
        assert (client.name, client.manager_id) == ("Ivan Petrov", MAX)
    await account.writes(IVAN, "Still there?")  # enabled now: Telegram is not asked again
    assert asked(account) == 1


def telegram_says(max_: SimulatedUser, enabled: bool) -> TgBusinessConnection:
    """Max's connection as getBusinessConnection tells it."""
    rights = BusinessBotRights(can_reply=True, can_read_messages=True) if enabled else None
    return TgBusinessConnection(
        id="conn-max",
        user=max_.user,
        user_chat_id=MAX,
        date=datetime.now(UTC),
        is_enabled=enabled,
        rights=rights or BusinessBotRights(),
    )


def asked(account: SimulatedBusiness) -> int:
    """How many times the bot asked Telegram whose a connection is."""
    return len([r for r in account.session.requests if isinstance(r, GetBusinessConnection)])


async def test_an_active_members_disabled_connection_is_asked_about_once_in_ten_minutes(
    app: App, max_: SimulatedUser, account: SimulatedBusiness, clock: ManualClock
) -> None:
    """Telegram's "disabled" about an active member's connection was not remembered: each
    message of its chats asked Telegram again. Now it is, as a stranger's is, 10 minutes."""
    await account.connect(enabled=False)
    disabled = telegram_says(max_, False)
    account.session.answer_next(disabled, GetBusinessConnection)
    await account.writes(IVAN, "Hello")
    assert asked(account) == 1
    account.session.answer_next(disabled, GetBusinessConnection)
    await account.writes(IVAN, "Anyone?")
    await account.writes(IVAN, "Hello??")
    assert asked(account) == 1
    clock.advance(timedelta(minutes=11))
    await account.writes(IVAN, "Still nobody?")
    assert asked(account) == 2
    assert await connections(app) == [("conn-max", MAX, False)]
    async with app.crm.open() as crm:
        assert list(await crm.clients._session.scalars(select(Client))) == []
