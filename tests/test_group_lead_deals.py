"""The team's group chat hears of the deals website leads open, as of any new deal."""

from __future__ import annotations

from bot.app import App
from tests.conftest import OWNER_ID, UserFactory
from tests.test_groups import app, bound, group_messages
from tests.test_intake_web import new_source, web_client

__all__ = ["app"]  # the fixture (a team whose default language is English), used by name


async def test_a_deal_a_website_lead_opens_is_heard_of_as_a_new_deal(
    app: App, user: UserFactory
) -> None:
    """A source that opens a deal for each lead: the group heard of the lead's new client,
    never of its deal, though it hears of new deals ("💼 new deals" on)."""
    await bound(app, user)
    token = await new_source(app, assign="member", member_ids=(OWNER_ID,), open_deal=True)
    http = await web_client(app)
    try:
        response = await http.post(
            f"/leads/{token}", json={"name": "Vera", "phone": "+79990001122"}
        )
        assert response.status == 200
    finally:
        await http.close()
    await app.ticker.tick()
    [heard] = [m.text for m in group_messages(app)[1:]]
    assert "🆕 1 new client" in heard and "• Vera" in heard
    assert "💼 1 new deal" in heard and "• Vera — Vera, 0\u00a0₽" in heard


async def test_a_group_that_does_not_hear_new_deals_is_not_told_of_a_lead_s(
    app: App, user: UserFactory
) -> None:
    owner_in_group = await bound(app, user)
    await owner_in_group.press("new deals")
    token = await new_source(app, assign="member", member_ids=(OWNER_ID,), open_deal=True)
    http = await web_client(app)
    try:
        assert (await http.post(f"/leads/{token}", json={"name": "Vera"})).status == 200
    finally:
        await http.close()
    await app.ticker.tick()
    [heard] = [m.text for m in group_messages(app)[1:]]
    assert "• Vera" in heard and "new deal" not in heard
