"""A chat left out whose card was deleted stays out, says so, and can be taken back."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from handlers.business.callbacks import BizAction, BizCb
from handlers.clients.callbacks import CardAction, ClientCb
from storage.models import Client
from tests.conftest import Joiner

IVAN = customer(900_001, "Ivan", "Petrov", username="ivanp")


async def clients(app: App) -> list[Client]:
    async with app.crm.open() as crm:
        return list(await crm.clients._session.scalars(select(Client)))


async def test_a_left_out_chat_whose_card_is_deleted_stays_out_until_taken_back(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """Left out, then its card deleted, the chat was ignored for good: the only way back
    was on the card, which was gone, and nothing said so. The mark stays (the member left
    the chat out on purpose), the deletion says so, and /settings → Telegram Business
    records it again."""
    max_ = await join(200_002, first_name="Max", language_code="en")
    account = SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-max")
    await account.connect()
    await account.writes(IVAN, "Hello")
    [client] = await clients(app)
    await max_.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    await max_.press("🙈 Leave chat out")

    [confirm] = await owner_en.press_data(
        ClientCb(action=CardAction.DELETE, client_id=client.id).pack()
    )
    assert "Its Telegram chat is left out, and stays so" in confirm.text
    await owner_en.press("🗑 Yes, delete", confirm)
    await account.writes(IVAN, "Hello again")
    assert await clients(app) == []

    [screen] = await max_.press_data(BizCb(action=BizAction.SETTINGS).pack())
    assert "whose card was deleted stay left out" in screen.text
    await max_.press("✈️ Record @ivanp again", screen)
    assert max_.alert == "The chat is recorded again: the customer's next message makes their card."
    assert "✈️ Record @ivanp again" not in [b[0] for b in max_.last_message().buttons]
    await account.writes(IVAN, "Are you there?")
    [again] = await clients(app)
    assert (again.name, again.manager_id) == ("Ivan Petrov", max_.user.id)
