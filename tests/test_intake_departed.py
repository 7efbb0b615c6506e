"""A queued lead on a card still held by a member who has left (deactivated without a
hand-over): free for the queue, and taking it gives the card to the one who takes it."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.clients.callbacks import ClientCb
from handlers.intake.callbacks import LeadAction, LeadCb
from storage.models import Client, Lead
from tests.conftest import OWNER_ID, Joiner
from tests.test_intake_flow import ANNA, MAX, add_source_in_settings, post_lead


async def _lead_on_a_card(
    app: App, owner: SimulatedUser, join: Joiner, name: str
) -> tuple[SimulatedUser, str, int, int]:
    """Anna and Max in the team, a source, and a lead on a new card: Max, the source's
    address, the lead and its card."""
    await join(ANNA, first_name="Anna", language_code="en")
    max_ = await join(MAX, first_name="Max", language_code="en")
    line = await add_source_in_settings(owner, "Site")
    lead_id = await post_lead(app, line, {"name": name, "phone": "+79995550011"})
    async with app.crm.open() as crm:
        lead = await crm.incoming._session.get(Lead, lead_id)
        assert lead is not None and lead.client_id is not None
        return max_, line, lead_id, lead.client_id


async def _leave_with(app: App, client_id: int) -> None:
    """The card given to Anna, then Anna deactivated with nobody to hand over to."""
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_edits.set_manager(owner, client_id, ANNA)
        await crm.handoff.deactivate(owner, ANNA, None)


async def test_a_manager_sees_and_takes_a_lead_on_a_departed_members_card(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    max_, _line, lead_id, client_id = await _lead_on_a_card(app, owner_en, join, "Left Behind")
    await _leave_with(app, client_id)

    [listing] = await max_.send("/incoming")
    assert "Left Behind" in listing.text
    await max_.press_data(LeadCb(action=LeadAction.TAKE, lead_id=lead_id, listed=1).pack())
    assert max_.alert == "The lead is yours now."
    [card] = await max_.press_data(ClientCb(action="open", client_id=client_id).pack())
    assert "Left Behind" in card.text
    async with app.crm.open() as crm:
        client = await crm.incoming._session.get(Client, client_id)
        assert client is not None and client.manager_id == MAX


async def test_a_lead_arriving_later_on_a_departed_members_card_is_the_managers_to_take(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    max_, line, first, client_id = await _lead_on_a_card(app, owner_en, join, "Returning")
    await owner_en.press_data(LeadCb(action=LeadAction.TAKE, lead_id=first).pack())
    await _leave_with(app, client_id)
    again = await post_lead(app, line, {"name": "Returning", "phone": "+79995550011", "x": "2"})
    assert again != first

    [listing] = await max_.send("/incoming")
    assert "Returning" in listing.text
    await max_.press_data(LeadCb(action=LeadAction.TAKE, lead_id=again, listed=1).pack())
    assert max_.alert == "The lead is yours now."
    async with app.crm.open() as crm:
        client = await crm.incoming._session.get(Client, client_id)
        assert client is not None and client.manager_id == MAX


async def test_open_on_a_departed_members_queued_card_shows_what_a_manager_would_take(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """Its Open answered the manager "not found" until he took the lead: he now sees what
    he would take (name, source, phone), with Take it; the card itself once it is his."""
    max_, _line, _lead, client_id = await _lead_on_a_card(app, owner_en, join, "Left Behind")
    await _leave_with(app, client_id)

    [listing] = await max_.send("/incoming")
    [preview] = await max_.press("1. Left Behind", listing)
    assert max_.alert is None
    assert "📥 Left Behind" in preview.text and "Source: Site" in preview.text
    assert "+79995550011" in preview.text and "member who has left" in preview.text
    assert [label for label, _data, _url in preview.buttons] == ["✋ Take it", "🚫 Spam", "Open"]
    await max_.press("✋ Take it", preview)
    assert max_.alert == "The lead is yours now."
    [card] = await max_.press_data(ClientCb(action="open", client_id=client_id).pack())
    assert "Left Behind" in card.text and "✋ Take it" not in [b[0] for b in card.buttons]

    # Someone else's card, with no lead of his to take, is still "not found" to him.
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_edits.set_manager(owner, client_id, OWNER_ID)
    await max_.press_data(ClientCb(action="open", client_id=client_id).pack())
    assert max_.alert == "This record no longer exists."
