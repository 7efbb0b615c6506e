"""The team's group chat hears of the deals a Telegram Business chat opens."""

from __future__ import annotations

from bot.app import App
from bot.business_simulator import SimulatedBusiness
from bot.simulator import SimulatedUser
from tests.conftest import UserFactory
from tests.test_business_inbox import IVAN, account, max_
from tests.test_groups import app, bound, group_messages

__all__ = ["account", "app", "max_"]  # the fixtures, used by name


async def test_a_deal_a_business_chat_opens_is_heard_of_as_a_new_deal(
    app: App, user: UserFactory, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    """With "A deal for each new contact" on, a customer's first message made a card and a
    deal: the group heard of the new client, never of the deal, though it hears of new deals."""
    await bound(app, user)
    await account.connect()
    await max_.send("/settings")
    await max_.press("Telegram Business")
    await max_.press("A deal for each new contact: off")
    await account.writes(IVAN, "Hello")
    await app.ticker.tick()
    [heard] = [m.text for m in group_messages(app)[1:]]
    assert "🆕 1 new client" in heard and "• Ivan Petrov" in heard
    assert "💼 1 new deal" in heard and "• Ivan Petrov — Ivan Petrov, 0\u00a0₽" in heard
