"""Reply's 24 hours count from the customer's last message, recorded or not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.business_simulator import SimulatedBusiness
from bot.simulator import SimulatedUser
from crm.clock import ManualClock
from handlers.clients.callbacks import CardAction, ClientCb
from storage.models import BusinessChat, Client, Event
from tests.conftest import Joiner
from tests.test_business_inbox import IVAN, MAX

Ivan = tuple[SimulatedUser, SimulatedBusiness, int]


@pytest.fixture
async def ivan(app: App, join: Joiner, clock: ManualClock) -> Ivan:
    """Max, his account connected, and Ivan's card made by his message two days ago."""
    max_ = await join(MAX, first_name="Max", language_code="en")
    account = SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-max")
    await account.connect()
    await account.writes(IVAN, "Hello")
    clock.advance(timedelta(days=2))
    async with app.crm.open() as crm:
        [client_id] = await crm.clients._session.scalars(select(Client.id))
    return max_, account, int(client_id)


async def texts(app: App) -> list[str | None]:
    async with app.crm.open() as crm:
        events = await crm.clients._session.scalars(
            select(Event.text).where(Event.kind == "business_message").order_by(Event.id)
        )
        return list(events)


async def on_card(member: SimulatedUser, client_id: int, button: str) -> None:
    await member.press_data(ClientCb(action=CardAction.OPEN, client_id=client_id).pack())
    await member.press(button)


async def reply_asked(member: SimulatedUser, client_id: int) -> bool:
    """Whether Reply on the card asks for the text (not refused as too late)."""
    await on_card(member, client_id, "Reply in Telegram")
    if member.alert is not None:
        assert member.alert.startswith("Too late"), member.alert
        return False
    return "Send the reply to Ivan Petrov" in member.last_message().text


async def test_a_message_in_a_chat_left_out_keeps_reply_possible_once_taken_back(
    app: App, clock: ManualClock, ivan: Ivan
) -> None:
    max_, account, card = ivan
    await on_card(max_, card, "Leave chat out")
    await account.writes(IVAN, "Private stuff")
    await account.writes(IVAN, "Mine, also private", mine=True)
    clock.advance(timedelta(hours=1))
    await on_card(max_, card, "Record this chat again")
    assert await reply_asked(max_, card)
    assert await texts(app) == ["Hello"]  # what was said while left out is not kept


async def test_a_message_while_the_inbox_is_off_keeps_reply_possible_once_on(
    app: App, clock: ManualClock, owner_en: SimulatedUser, ivan: Ivan
) -> None:
    max_, account, card = ivan
    await owner_en.send("/settings")
    await owner_en.press("Telegram Business")
    await owner_en.press("Switch the inbox off")
    await account.writes(IVAN, "Are you there?")
    await owner_en.press("Switch the inbox on")
    assert await reply_asked(max_, card)
    assert await texts(app) == ["Hello"]
    async with app.crm.open() as crm:
        [chat] = await crm.clients._session.scalars(select(BusinessChat))
        assert chat.last_customer_message_at == clock.now()


async def test_the_members_own_message_does_not_reopen_the_24_hours(ivan: Ivan) -> None:
    max_, account, card = ivan
    await on_card(max_, card, "Leave chat out")
    await account.writes(IVAN, "Mine", mine=True)
    await on_card(max_, card, "Record this chat again")
    assert not await reply_asked(max_, card)
