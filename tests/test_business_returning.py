"""A customer writing to two members' Telegram Business accounts has one card."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from storage.models import BusinessChat, Client, Deal, Event, Lead, OutboxMessage
from tests.at_once import once_other_commits
from tests.conftest import OWNER_ID, Joiner

IVAN = customer(900_001, "Ivan", "Petrov", username="ivanp")
MAX, ANNA = 200_002, 200_003  # two managers, each with a Telegram Business account


@pytest.fixture
async def team(join: Joiner) -> tuple[SimulatedUser, SimulatedUser]:
    """Max and Anna, managers (who see only their own cards and the unassigned)."""
    max_ = await join(MAX, first_name="Max", language_code="en")
    return max_, await join(ANNA, first_name="Anna", language_code="en")


@pytest.fixture
async def accounts(
    app: App, team: tuple[SimulatedUser, SimulatedUser]
) -> tuple[SimulatedBusiness, SimulatedBusiness]:
    """Max's and Anna's Telegram Business accounts, connected."""
    found = tuple(
        SimulatedBusiness(app.dispatcher, app.bot, m.user, connection_id=f"conn-{m.user.id}")
        for m in team
    )
    for account in found:
        await account.connect()
    return found[0], found[1]


async def rows(app: App, statement: object) -> list:  # type: ignore[type-arg]
    async with app.crm.open() as crm:
        return list(await crm.clients._session.scalars(statement))  # type: ignore[arg-type]


async def notes(app: App) -> list[tuple[str, int]]:
    found = await rows(app, select(OutboxMessage).order_by(OutboxMessage.id))
    return [(note.kind, note.chat_id) for note in found if note.kind != "invite_accepted"]


async def test_a_customer_writing_to_a_second_members_account_stays_on_one_card(
    app: App,
    team: tuple[SimulatedUser, SimulatedUser],
    accounts: tuple[SimulatedBusiness, SimulatedBusiness],
) -> None:
    """It made a second card, Anna's: one person, two clients. Now the chat goes onto
    Ivan's card, a lead on it for its manager (as a form's known phone), and Anna, who
    may not see Max's cards, is told nothing of it."""
    (max_, anna), (maxs, annas) = team, accounts
    await maxs.writes(IVAN, "Hello Max")
    await app.sender.drain_once()
    anna_before = len(anna.chat_messages())
    await annas.writes(IVAN, "Hello Anna, is it in stock?")
    [client] = await rows(app, select(Client))
    assert (client.name, client.manager_id) == ("Ivan Petrov", MAX)
    chats = await rows(app, select(BusinessChat).order_by(BusinessChat.connection_id))
    assert [(c.connection_id, c.client_id) for c in chats] == [
        (f"conn-{MAX}", client.id),
        (f"conn-{ANNA}", client.id),
    ]
    leads = await rows(app, select(Lead).order_by(Lead.id))
    assert [(lead.new_client, lead.taken_by, lead.client_id) for lead in leads] == [
        (True, MAX, client.id),
        (False, MAX, client.id),
    ]
    texts = await rows(
        app, select(Event.text).where(Event.kind == "business_message").order_by(Event.id)
    )
    assert texts == ["Hello Max", "Hello Anna, is it in stock?"]
    assert await notes(app) == [("business_new_client", MAX), ("lead_new", MAX)]

    await app.sender.drain_once()
    note = max_.last_message()
    assert note.text.startswith("📥 New lead for you")
    assert "Source: Telegram" in note.text and "Name: Ivan Petrov" in note.text
    assert "Comment: Hello Anna, is it in stock?" in note.text
    assert len(anna.chat_messages()) == anna_before  # not a word to Anna
    await anna.send("/clients")
    assert "Ivan" not in anna.last_message().text

    await annas.writes(IVAN, "Still there?")  # the chat is on the card now: no more leads
    assert len(await rows(app, select(Lead))) == 2
    assert len(await rows(app, select(Client))) == 1


async def _max_leaves(app: App) -> None:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_active(owner, MAX, False)


async def test_a_second_account_on_the_card_of_a_member_who_left_queues_the_lead(
    app: App,
    owner_en: SimulatedUser,
    accounts: tuple[SimulatedBusiness, SimulatedBusiness],
) -> None:
    """With Anna's "A deal for each new contact" on, the lead's deal is nobody's until the
    lead is taken, then the taker's."""
    maxs, annas = accounts
    await maxs.writes(IVAN, "Hello Max")
    await _max_leaves(app)
    await _deal_on(app, ANNA)
    await annas.writes(IVAN, "Hello Anna")
    [client] = await rows(app, select(Client))
    [_first, lead] = await rows(app, select(Lead).order_by(Lead.id))
    assert (lead.client_id, lead.taken_by) == (client.id, None)
    assert ("lead_queue", OWNER_ID) in await notes(app)
    assert ("lead_new", MAX) not in await notes(app)
    [deal] = await rows(app, select(Deal))
    assert (lead.deal_id, deal.manager_id) == (deal.id, None)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.incoming.take(owner, lead.id)
    [deal] = await rows(app, select(Deal))
    assert deal.manager_id == OWNER_ID


async def test_after_the_card_is_deleted_the_second_account_makes_its_own(
    app: App, accounts: tuple[SimulatedBusiness, SimulatedBusiness]
) -> None:
    maxs, annas = accounts
    await maxs.writes(IVAN, "Hello Max")
    [first] = await rows(app, select(Client))
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_edits.delete(owner, first.id)
    await annas.writes(IVAN, "Hello Anna")
    [second] = await rows(app, select(Client))
    assert (second.manager_id, second.id != first.id) == (ANNA, True)
    # Max's chat, whose card is gone, then joins Anna's card: one card again.
    await maxs.writes(IVAN, "Max, are you there?")
    assert await rows(app, select(func.count()).select_from(Client)) == [1]
    chats = await rows(app, select(BusinessChat.client_id))
    assert chats == [second.id, second.id]


async def test_a_card_deleted_while_a_second_account_finds_it_is_not_attached_to(
    app: App, accounts: tuple[SimulatedBusiness, SimulatedBusiness], backend: str
) -> None:
    """The card found is locked before the chat is put on it: deleted meanwhile (by another
    instance), it is passed over and a new card made, not a chat pointing at no card."""
    if backend == "sqlite":
        pytest.skip("writers take turns on SQLite: no row locks")
    maxs, annas = accounts
    await maxs.writes(IVAN, "Hello Max")
    [first] = await rows(app, select(Client))
    async with app.engine.connect() as other:
        await other.execute(delete(Client).where(Client.id == first.id))
        await once_other_commits(other, annas.writes(IVAN, "Hello Anna"))
    [second] = await rows(app, select(Client))
    assert (second.id != first.id, second.manager_id) == (True, ANNA)
    texts = await rows(app, select(Event.text).where(Event.client_id == second.id))
    assert "Hello Anna" in texts


async def test_first_messages_on_two_accounts_at_once_make_one_card(
    app: App, accounts: tuple[SimulatedBusiness, SimulatedBusiness], backend: str
) -> None:
    """Each looked for a card before the other's was committed, and each made one: the
    customer is now locked while their card is found or made, so the second finds it."""
    if backend == "sqlite":
        pytest.skip("writers take turns on SQLite")
    maxs, annas = accounts
    async with app.engine.connect() as other:
        await other.execute(select(func.pg_advisory_xact_lock(-IVAN.id)))  # Max's, held
        await once_other_commits(other, annas.writes(IVAN, "Hello Anna"))
    [client] = await rows(app, select(Client))
    assert client.manager_id == ANNA
    await maxs.writes(IVAN, "Hello Max")
    assert await rows(app, select(BusinessChat.client_id)) == [client.id, client.id]


async def test_the_same_members_account_connected_again_is_no_new_lead(
    app: App, team: tuple[SimulatedUser, SimulatedUser]
) -> None:
    """Max's account connected again under a new connection id: his customer's next
    message was taken for another member's, a lead on Max's own card and "📥 New lead for
    you" about a client he was talking to. It joins the card as his chat, nothing told."""
    max_, _anna = team
    first = SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-old")
    await first.connect()
    await first.writes(IVAN, "Hello Max")
    again = SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-new")
    await again.connect()
    await app.sender.drain_once()
    seen = len(max_.chat_messages())
    await again.writes(IVAN, "Max, still there?")
    [client] = await rows(app, select(Client))
    chats = await rows(app, select(BusinessChat.client_id))
    assert chats == [client.id, client.id]
    leads = await rows(app, select(Lead))
    assert [(lead.new_client, lead.taken_by) for lead in leads] == [(True, MAX)]
    assert [kind for kind, _chat in await notes(app)] == ["business_new_client"]
    await app.sender.drain_once()
    assert len(max_.chat_messages()) == seen
    texts = await rows(
        app, select(Event.text).where(Event.kind == "business_message").order_by(Event.id)
    )
    assert texts == ["Hello Max", "Max, still there?"]


async def _deal_on(app: App, member_id: int) -> None:
    async with app.crm.open() as crm:
        member = await crm.members.get_active(member_id)
        assert member is not None
        await crm.business.set_open_deal(member, True)


async def test_a_second_account_with_a_deal_for_each_new_contact_opens_the_leads_deal(
    app: App,
    team: tuple[SimulatedUser, SimulatedUser],
    accounts: tuple[SimulatedBusiness, SimulatedBusiness],
) -> None:
    """Anna turned on "A deal for each new contact"; Ivan, Max's customer, writing to her
    made no deal (a form's known phone makes one). It is now the lead's, Max's: on his card,
    in his note, in his /deals; not Anna's, who may not see the card."""
    (max_, anna), (maxs, annas) = team, accounts
    await maxs.writes(IVAN, "Hello Max")
    await _deal_on(app, ANNA)
    await annas.writes(IVAN, "Hello Anna, is it in stock?")
    [client] = await rows(app, select(Client))
    [deal] = await rows(app, select(Deal))
    assert (deal.client_id, deal.manager_id, deal.title) == (client.id, MAX, "Ivan Petrov")
    [_first, lead] = await rows(app, select(Lead).order_by(Lead.id))
    assert lead.deal_id == deal.id
    made = await rows(app, select(Event.kind).where(Event.deal_id == deal.id))
    assert made == ["deal_created"]
    await app.sender.drain_once()
    assert max_.last_message().text.startswith("📥 New lead for you")
    await max_.send("/deals")
    assert "New lead: 1 · " in max_.last_message().text
    await anna.send("/deals")
    assert "No open deals." in anna.last_message().text
