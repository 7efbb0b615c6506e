"""The Telegram Business inbox through the Dispatcher, with updates fed as Telegram sends them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetBusinessConnection, SendMessage
from aiogram.types import BusinessBotRights, Contact, PhotoSize, Update, Voice
from aiogram.types import BusinessConnection as TgBusinessConnection
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from bot.webhook_cli import webhook_command
from crm.clock import ManualClock
from handlers.business.callbacks import BizAction, BizCb
from handlers.kit.screen import utf16_length
from storage.models import (
    BusinessChat,
    BusinessConnection,
    BusinessMessage,
    Client,
    ClientPhone,
    ClientTag,
    Deal,
    Event,
    Lead,
    OutboxMessage,
)
from tests.at_once import lock, once_other_commits
from tests.conftest import OWNER_ID, Joiner, make_settings
from tests.fake_bot_api import FakeBotApi

MAX = 200_002
STRANGER = 300_003
IVAN = customer(900_001, "Ivan", "Petrov", username="ivanp")
OLGA = customer(900_002, "Olga", username="olga_k")


@pytest.fixture
async def max_(join: Joiner) -> SimulatedUser:
    return await join(MAX, first_name="Max", language_code="en")


@pytest.fixture
def account(app: App, max_: SimulatedUser) -> SimulatedBusiness:
    """Max's Telegram Business account."""
    return SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-max")


async def count(app: App, model: type, *where: object) -> int:
    async with app.crm.open() as crm:
        session = crm.clients._session
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


async def rows(app: App, statement: object) -> list:  # type: ignore[type-arg]
    async with app.crm.open() as crm:
        return list(await crm.clients._session.scalars(statement))  # type: ignore[arg-type]


async def the_client(app: App) -> Client:
    [client] = await rows(app, select(Client))
    return client


async def chat_events(app: App) -> list[Event]:
    return await rows(app, select(Event).where(Event.kind == "business_message").order_by(Event.id))


async def open_card(user: SimulatedUser, client_id: int) -> None:
    from handlers.clients.callbacks import CardAction, ClientCb

    await user.press_data(ClientCb(action=CardAction.OPEN, client_id=client_id).pack())


def test_the_bot_asks_telegram_for_business_updates(app: App) -> None:
    used = set(app.dispatcher.resolve_used_update_types())
    assert {
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
    } <= used


async def test_a_member_connects_changes_rights_and_disconnects(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    [told] = await account.connect(can_reply=False)
    assert told.chat_id == MAX
    assert "Your Telegram Business account is connected to Kartoteka." in told.text
    assert "gets a card" in told.text and "The bot may not reply for you" in told.text
    [connection] = await rows(app, select(BusinessConnection))
    assert (connection.user_id, connection.enabled) == (MAX, True)
    assert connection.rights["can_reply"] is False and connection.rights["can_read_messages"]

    assert await account.connect(can_reply=False) == []  # the same again: nothing new
    [rights] = await account.connect(can_reply=True)
    assert "You can now reply to customers from their cards." in rights.text
    [connection] = await rows(app, select(BusinessConnection))
    assert connection.rights["can_reply"] is True

    [settings] = await max_.send("/settings")
    assert "Telegram Business: connected" in settings.text
    await max_.press("Telegram Business")
    screen = max_.last_message()
    assert "Your account: connected" in screen.text
    assert "Replying from the card: on" in screen.text

    [gone] = await account.connect(enabled=False)
    assert "disconnected" in gone.text
    [connection] = await rows(app, select(BusinessConnection))
    assert connection.enabled is False
    await account.writes(IVAN, "Hello?")
    assert await count(app, Client) == 0


async def test_a_strangers_connection_is_refused_and_stores_nothing(
    app: App, owner_en: SimulatedUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    stranger = customer(STRANGER, "Eve")
    business = SimulatedBusiness(app.dispatcher, app.bot, stranger, connection_id="conn-eve")
    assert await business.connect() == []
    assert "refused the business connection of non-member 300003" in caplog.text
    assert await count(app, BusinessConnection) == 0
    assert await business.writes(IVAN, "Hi") and await count(app, Client) == 0
    assert await count(app, Event, Event.kind == "business_message") == 0
    assert not [r for r in business.session.requests if isinstance(r, SendMessage)]


async def test_a_first_message_makes_one_card_and_one_note(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello, do you deliver to Kazan?")
    again = account.message(IVAN, 424_242, mine=False, text="And how much is it?")
    for update_id in (88_000_001, 88_000_002):  # Telegram delivered it twice
        await account.feed(Update(update_id=update_id, business_message=again))
    assert len(await chat_events(app)) == 2
    client = await the_client(app)
    assert (client.name, client.source, client.manager_id) == ("Ivan Petrov", "Telegram", MAX)
    [lead] = await rows(app, select(Lead))
    assert (lead.channel, lead.taken_by, lead.client_id) == ("telegram", MAX, client.id)
    assert await count(app, Deal) == 0  # Max did not ask for deals
    notes = await rows(
        app, select(OutboxMessage).where(OutboxMessage.kind == "business_new_client")
    )
    assert len(notes) == 1 and notes[0].chat_id == MAX
    # Nothing at all was said into Ivan's chat.
    assert not [r for r in account.session.requests if getattr(r, "chat_id", None) == IVAN.id]

    await app.sender.drain_once()
    note = max_.last_message()
    assert note.text == "✈️ New client from Telegram: Ivan Petrov (@ivanp)"
    [(label, _data, _url)] = note.buttons
    assert label == "Open card"
    await max_.press("Open card", note)
    card = max_.last_message()
    assert "✈️ Telegram: @ivanp · id 900001" in card.text
    assert "Source: Telegram" in card.text
    assert "✈️ client: Hello, do you deliver to Kazan?" in card.text
    assert "✈️ client: And how much is it?" in card.text
    assert any("Reply in Telegram" in text for text, _, _ in card.buttons)


async def test_the_members_own_messages_never_make_a_card(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(OLGA, "Olga, your order is ready", mine=True)
    assert await count(app, Client) == 0
    assert await count(app, Event, Event.kind == "business_message") == 0
    await account.writes(OLGA, "Great, thanks!")
    await account.writes(OLGA, "You're welcome", mine=True)
    client = await the_client(app)
    assert client.name == "Olga"
    events = await chat_events(app)
    assert [(e.actor_id, e.data["from"], e.text) for e in events] == [
        (None, "client", "Great, thanks!"),
        (MAX, "member", "You're welcome"),
    ]


async def test_edits_and_deletions_land_on_the_same_event(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    first = await account.writes(IVAN, "I want 3 boxes")
    await account.edits(IVAN, first, "I want 5 boxes")
    [event] = await chat_events(app)
    assert event.text == "I want 5 boxes"
    assert event.data["first_text"] == "I want 3 boxes" and "edited_at" in event.data
    await account.deletes(IVAN, first, 999_999)  # one never seen: ignored
    [event] = await chat_events(app)
    assert "deleted_at" in event.data
    await open_card(max_, event.client_id or 0)
    assert "I want 5 boxes (edited) (deleted in Telegram)" in max_.last_message().text


async def test_photos_voice_and_a_shared_phone_are_kept(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    photo = [
        PhotoSize(file_id="small", file_unique_id="s", width=90, height=90),
        PhotoSize(file_id="large", file_unique_id="l", width=1280, height=1280),
    ]
    await account.writes(IVAN, photo=photo, caption="This one")
    await account.writes(IVAN, voice=Voice(file_id="voice-1", file_unique_id="v", duration=3))
    contact = Contact(phone_number="+7 999 123-45-67", first_name="Ivan", user_id=IVAN.id)
    await account.writes(IVAN, contact=contact)
    events = await chat_events(app)
    assert [(e.data.get("file_kind"), e.data.get("file_id")) for e in events[:2]] == [
        ("photo", "large"),
        ("voice", "voice-1"),
    ]
    assert events[0].text == "This one"
    [phone] = await rows(app, select(ClientPhone.e164))
    assert phone == "+79991234567"


async def test_a_reply_from_the_card_within_24_hours(
    app: App, max_: SimulatedUser, account: SimulatedBusiness, clock: ManualClock
) -> None:
    await account.connect()
    await account.writes(IVAN, "Is it in stock?")
    client = await the_client(app)
    clock.advance(timedelta(hours=23))
    await open_card(max_, client.id)
    await max_.press("Reply in Telegram")
    assert "Send the reply to Ivan Petrov" in max_.last_message().text
    before = len(account.session.requests)
    *_to_ivan, done = await max_.send("Yes, 12 left")
    [sent] = [
        r
        for r in account.session.requests[before:]
        if isinstance(r, SendMessage) and r.chat_id == IVAN.id
    ]
    assert (sent.text, sent.business_connection_id) == ("Yes, 12 left", "conn-max")
    assert "Sent into the client's Telegram chat" in done.text
    events = await chat_events(app)
    assert [(e.actor_id, e.data["from"], e.text) for e in events] == [
        (None, "client", "Is it in stock?"),
        (MAX, "member", "Yes, 12 left"),
    ]
    # Telegram may also report the bot's own message as one of the chat: not doubled.
    sent_id = next(s.message_id for s in account.session.chat_order if s.chat_id == IVAN.id)
    echo = account.message(
        IVAN, sent_id, mine=True, sender_business_bot=account.session.bot_user, text="Yes, 12 left"
    )
    await account.feed(Update(update_id=77_000_001, business_message=echo))
    assert len(await chat_events(app)) == 2


async def test_a_reply_after_24_hours_or_without_rights_is_refused(
    app: App, max_: SimulatedUser, account: SimulatedBusiness, clock: ManualClock
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello")
    client = await the_client(app)
    clock.advance(timedelta(hours=25))
    await open_card(max_, client.id)
    await max_.press("Reply in Telegram")
    assert max_.alert is not None and max_.alert.startswith("Too late")

    # Within the 24 hours by our clock, but Telegram says the chat is too old: told, not kept.
    await account.writes(IVAN, "Still there?")
    await open_card(max_, client.id)
    await max_.press("Reply in Telegram")
    account.session.answer_next(
        TelegramBadRequest(
            SendMessage(chat_id=IVAN.id, text="x"), "Bad Request: BUSINESS_PEER_USAGE_MISSING"
        ),
        SendMessage,
    )
    [told] = await max_.send("Yes!")
    assert told.text.startswith("Too late")
    assert [e.text for e in await chat_events(app)] == ["Hello", "Still there?"]

    await account.connect(can_reply=False)
    await open_card(max_, client.id)
    await max_.press("Reply in Telegram")
    assert max_.alert is not None and max_.alert.startswith("The bot may not reply for you")


async def test_only_the_accounts_member_replies_or_leaves_the_chat_out(
    app: App, owner_en: SimulatedUser, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello")
    client = await the_client(app)
    await open_card(owner_en, client.id)
    card = owner_en.last_message()
    assert "✈️ Telegram: @ivanp" in card.text
    assert not any("Reply in Telegram" in text for text, _, _ in card.buttons)
    forged = BizCb(action=BizAction.REPLY, client_id=client.id).pack()
    await owner_en.press_data(forged)
    assert owner_en.alert is not None and "another member's Telegram account" in owner_en.alert
    forged = BizCb(action=BizAction.EXCLUDE, client_id=client.id, on=True).pack()
    await owner_en.press_data(forged)
    assert owner_en.alert is not None and "another member's Telegram account" in owner_en.alert
    [chat] = await rows(app, select(BusinessChat))
    assert chat.excluded is False


async def test_a_member_leaves_a_chat_out_and_takes_it_back(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello")
    client = await the_client(app)
    await open_card(max_, client.id)
    await max_.press("Leave chat out")
    assert max_.alert == "This chat is left out: nothing more of it goes onto the card."
    await account.writes(IVAN, "Private stuff")
    assert [e.text for e in await chat_events(app)] == ["Hello"]
    await open_card(max_, client.id)
    assert "left out of the card" in max_.last_message().text
    await max_.press("Record this chat again")
    await account.writes(IVAN, "Back again")
    assert [e.text for e in await chat_events(app)] == ["Hello", "Back again"]


async def test_the_owner_switches_the_inbox_off_for_the_team(
    app: App, owner_en: SimulatedUser, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    forged = BizCb(action=BizAction.INBOX, on=False).pack()
    await max_.press_data(forged)
    assert max_.alert == "You don't have access to this."
    await owner_en.send("/settings")
    await owner_en.press("Telegram Business")
    assert "Inbox for the team: on" in owner_en.last_message().text
    await owner_en.press("Switch the inbox off")
    assert owner_en.alert == "The inbox is off: nothing from connected chats is recorded."
    assert "Inbox for the team: off" in owner_en.last_message().text
    await account.writes(IVAN, "Hello")
    assert await count(app, Client) == 0
    await owner_en.press("Switch the inbox on")
    await account.writes(IVAN, "Hello again")
    assert [e.text for e in await chat_events(app)] == ["Hello again"]


async def test_a_deal_for_each_new_contact_is_the_members_choice(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await max_.send("/settings")
    await max_.press("Telegram Business")
    await max_.press("A deal for each new contact: off")
    assert "A deal for each new contact: on" in max_.last_message().text
    await account.writes(IVAN, "Hello")
    [deal] = await rows(app, select(Deal))
    client = await the_client(app)
    assert (deal.client_id, deal.manager_id, deal.title) == (client.id, MAX, "Ivan Petrov")


async def test_an_owner_with_business_too(app: App, owner_en: SimulatedUser) -> None:
    business = SimulatedBusiness(app.dispatcher, app.bot, owner_en.user, connection_id="conn-o")
    [told] = await business.connect()
    assert told.chat_id == OWNER_ID
    await business.writes(OLGA, "Hi!")
    assert (await the_client(app)).manager_id == OWNER_ID


async def test_registering_the_webhook_asks_telegram_for_business_updates(
    database_url: str,
) -> None:
    api = FakeBotApi()
    await api.start()
    try:
        settings = make_settings(
            database_url,
            telegram_api_url=api.base_url("deploy"),
            webhook_url="https://crm.example.org/telegram",
            webhook_secret="s3cret-s3cret",
        )
        said = await webhook_command(settings, "set")
    finally:
        await api.stop()
    assert said == "Webhook set to https://crm.example.org/telegram."
    [call] = api.sent("setWebhook")
    assert {
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
    } <= set(call.fields["allowed_updates"])


async def test_a_deactivated_members_chats_are_no_longer_recorded(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_active(owner, MAX, False)
    before = len(account.session.requests)
    await account.writes(IVAN, "Anyone there?")
    await account.writes(OLGA, "Hi, I am new")
    assert [e.text for e in await chat_events(app)] == ["Hello"]
    assert await count(app, Client) == 1
    assert account.session.requests[before:] == []  # and not a word to anyone


async def test_a_reply_made_from_a_template_is_shown_then_sent(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.templates.add_text(owner, "Price list", "Hello, {client.name}! Prices: …")
        await crm.templates.add_text(owner, "Deal", "About {deal.title}")
    await account.connect()
    await account.writes(IVAN, "Prices?")
    client = await the_client(app)
    await open_card(max_, client.id)
    await max_.press("Reply in Telegram")
    assert [text for text, _, _ in max_.last_message().buttons] == [
        "📝 Price list",
        "📝 Deal",
        "✖️ Cancel",
    ]
    await max_.press("📝 Deal")  # no deal: the gap is named, nothing is sent
    assert max_.alert is not None and "deal.title" in max_.alert
    before = len(account.session.requests)
    await max_.press("📝 Price list")
    preview = max_.last_message()
    assert "Hello, Ivan Petrov! Prices: …" in preview.text
    assert not [r for r in account.session.requests[before:] if isinstance(r, SendMessage)]
    await max_.press("📤 Send", preview)
    [sent] = [r for r in account.session.requests[before:] if isinstance(r, SendMessage)]
    assert (sent.chat_id, sent.text) == (IVAN.id, "Hello, Ivan Petrov! Prices: …")
    assert sent.business_connection_id == "conn-max"
    assert max_.last_message().text == "Sent into the client's Telegram chat; it is on the card."
    assert [e.text for e in await chat_events(app)] == ["Prices?", "Hello, Ivan Petrov! Prices: …"]
    await max_.press_data(BizCb(action=BizAction.SEND, client_id=client.id).pack())
    assert max_.alert == "This button is no longer active."  # sent once, not twice


async def test_a_customer_whose_card_was_deleted_gets_a_new_one_when_writing_again(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello")
    first = await the_client(app)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_edits.delete(owner, first.id)
    await account.writes(IVAN, "It's me again", mine=True)  # the member's: still no card
    assert await count(app, Client) == 0
    await account.writes(IVAN, "Hello again")
    second = await the_client(app)
    assert second.name == "Ivan Petrov"
    assert await count(app, Event, Event.kind == "client_created") == 2
    notes = await rows(
        app, select(OutboxMessage).where(OutboxMessage.kind == "business_new_client")
    )
    assert [note.payload["client_id"] for note in notes] == [first.id, second.id]
    [chat] = await rows(app, select(BusinessChat))
    assert chat.client_id == second.id


async def test_a_shared_phone_is_added_with_an_event_unless_another_client_has_it(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    # Olga's first message is her contact: her new card has the phone.
    olga_phone = Contact(phone_number="+7 999 123-45-67", first_name="Olga", user_id=OLGA.id)
    await account.writes(OLGA, contact=olga_phone)
    await account.writes(IVAN, "Hello")
    # Ivan shares a number of his that is on Olga's card: not added to his, and his
    # timeline says so.
    shared = Contact(phone_number="+7 999 123-45-67", first_name="Ivan", user_id=IVAN.id)
    await account.writes(IVAN, contact=shared)
    # Ivan shares his own: added, with the change on his timeline.
    own = Contact(phone_number="+7 999 765-43-21", first_name="Ivan", user_id=IVAN.id)
    await account.writes(IVAN, contact=own)
    await account.writes(IVAN, contact=own)  # the same again: nothing more
    [ivan] = await rows(app, select(Client).where(Client.name == "Ivan Petrov"))
    [olga] = await rows(app, select(Client).where(Client.name == "Olga"))
    assert await rows(app, select(ClientPhone.e164).where(ClientPhone.client_id == ivan.id)) == [
        "+79997654321"
    ]
    assert await rows(app, select(ClientPhone.e164).where(ClientPhone.client_id == olga.id)) == [
        "+79991234567"
    ]
    [changed] = await rows(app, select(Event).where(Event.kind == "field_changed"))
    assert (changed.client_id, changed.actor_id) == (ivan.id, None)
    assert changed.data == {"field": "phones", "old": [], "new": ["+79997654321"]}
    await open_card(max_, ivan.id)
    text = max_.last_message().text
    assert "📞 +7 999 123-45-67 (another client has this number: not added to the card)" in text
    assert "✏️ phones: — → +7 999 765-43-21" in text


async def test_a_first_message_with_another_clients_phone_makes_a_card_without_it(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    phone = Contact(phone_number="+7 999 123-45-67", first_name="Olga", user_id=OLGA.id)
    await account.writes(OLGA, contact=phone)
    shared = Contact(phone_number="+7 999 123-45-67", first_name="Ivan", user_id=IVAN.id)
    await account.writes(IVAN, contact=shared)
    [olga] = await rows(app, select(Client).where(Client.name == "Olga"))
    [ivan] = await rows(app, select(Client).where(Client.name == "Ivan Petrov"))
    assert await rows(app, select(ClientPhone.client_id)) == [olga.id]
    [created] = await rows(
        app, select(Event).where(Event.kind == "client_created", Event.client_id == ivan.id)
    )
    assert created.data["phones"] == []
    [message] = await rows(
        app, select(Event).where(Event.client_id == ivan.id, Event.kind == "business_message")
    )
    assert message.data["phone_elsewhere"] is True


async def test_someone_elses_contact_shared_in_the_chat_is_on_the_timeline_not_the_card(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello, here is my accountant's number")
    # A contact card of a third person: not on Telegram (no user_id), or someone else.
    accountant = Contact(phone_number="+7 999 555-00-11", first_name="Accountant")
    colleague = Contact(phone_number="+7 999 555-00-22", first_name="Oleg", user_id=900_777)
    await account.writes(IVAN, contact=accountant)
    await account.writes(IVAN, contact=colleague)
    assert await rows(app, select(ClientPhone.e164)) == []
    assert await count(app, Event, Event.kind == "field_changed") == 0
    await open_card(max_, (await the_client(app)).id)
    for phone in ("+7 999 555-00-11", "+7 999 555-00-22"):
        note = f"📞 {phone} (someone else's contact: not added to the card)"
        assert note in max_.last_message().text


async def test_a_first_message_that_is_someone_elses_contact_makes_a_card_without_it(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    accountant = Contact(phone_number="+7 999 555-00-11", first_name="Accountant")
    await account.writes(IVAN, contact=accountant)
    ivan = await the_client(app)
    assert await rows(app, select(ClientPhone.e164)) == []
    [message] = await rows(app, select(Event).where(Event.kind == "business_message"))
    assert (message.client_id, message.data["phone"]) == (ivan.id, "+7 999 555-00-11")


async def test_leaving_a_chat_out_and_taking_it_back_are_on_the_timeline(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Hello")
    client = await the_client(app)
    await open_card(max_, client.id)
    await max_.press("Leave chat out")
    # A double press (an old card's button) changes nothing and writes nothing.
    await max_.press_data(BizCb(action=BizAction.EXCLUDE, client_id=client.id, on=True).pack())
    await open_card(max_, client.id)
    assert "Max: 🙈 Telegram chat left out of the card" in max_.last_message().text
    await max_.press("Record this chat again")
    kinds = [
        (e.kind, e.actor_id)
        for e in await rows(
            app, select(Event).where(Event.kind.like("business_chat_%")).order_by(Event.id)
        )
    ]
    assert kinds == [("business_chat_excluded", MAX), ("business_chat_included", MAX)]
    await open_card(max_, client.id)
    assert "Max: ✈️ Telegram chat recorded on the card again" in max_.last_message().text


async def _held_echo(other: AsyncConnection, client_id: int, message_id: int) -> int:
    """Another instance records ``message_id`` of Ivan's chat and has not committed yet."""
    now = datetime.now(UTC)
    echo_id = int(
        await other.scalar(
            insert(Event)
            .values(occurred_at=now, actor_id=MAX, kind="business_message", client_id=client_id)
            .values(text="Yes, 12 left", data={"from": "member", "chat_id": IVAN.id})
            .returning(Event.id)
        )
    )
    await other.execute(
        insert(BusinessMessage).values(
            connection_id="conn-max", chat_id=IVAN.id, message_id=message_id, event_id=echo_id
        )
    )
    return echo_id


async def test_a_reply_recorded_while_another_instance_records_its_echo_is_one_event(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Is it in stock?")
    client = await the_client(app)
    async with app.crm.open() as crm:
        member = await crm.members.get_active(MAX)
        assert member is not None
        target = await crm.business_replies.target(member, client.id)
    async with app.engine.connect() as other:
        echo_id = await _held_echo(other, client.id, 555)

        async def record() -> Event | None:
            async with app.crm.open() as crm:
                return await crm.business_replies.sent(member, target, 555, "Yes, 12 left")

        recording = asyncio.create_task(record())
        await asyncio.sleep(0.2)
        assert not recording.done()  # it waits for the echo's transaction
        await other.commit()
    recorded = await recording
    assert recorded is not None and recorded.id == echo_id
    assert [e.text for e in await chat_events(app)] == ["Is it in stock?", "Yes, 12 left"]


async def test_an_echo_taken_while_another_instance_records_the_reply_is_not_doubled(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(IVAN, "Is it in stock?")
    client = await the_client(app)
    async with app.engine.connect() as other:
        await _held_echo(other, client.id, 556)
        echo = account.message(
            IVAN, 556, mine=True, sender_business_bot=account.session.bot_user, text="Yes, 12 left"
        )
        feeding = asyncio.create_task(
            account.feed(Update(update_id=77_000_002, business_message=echo))
        )
        await asyncio.sleep(0.2)
        assert not feeding.done()
        await other.commit()
    await feeding
    assert [e.text for e in await chat_events(app)] == ["Is it in stock?", "Yes, 12 left"]


async def test_a_shared_phone_added_while_a_member_tags_the_card_keeps_the_tag_in_search(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    """A member's "vip", on the card and in its search line but not committed yet: the
    phone Ivan shares meanwhile is written after it, not over it."""
    await account.connect()
    await account.writes(IVAN, "Hello")
    ivan = await the_client(app)
    async with app.engine.connect() as other:
        await other.execute(insert(ClientTag).values(client_id=ivan.id, tag="vip"))
        await other.execute(
            update(Client)
            .where(Client.id == ivan.id)
            .values(search_text=Client.search_text + " vip")
        )
        own = Contact(phone_number="+7 999 765-43-21", first_name="Ivan", user_id=IVAN.id)
        sharing = asyncio.create_task(account.writes(IVAN, contact=own))
        await asyncio.sleep(0.2)
        assert not sharing.done()  # it waits for the member's transaction
        await other.commit()
    await sharing
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        for term in ("vip", "7654321"):
            assert [c.id for c in await crm.client_queries.search(owner, term)] == [ivan.id]


async def replying(app: App, max_: SimulatedUser, account: SimulatedBusiness) -> int:
    """Ivan has written "Prices?" and Max is asked for a reply on his card; how many
    requests the account had made by then."""
    await account.connect()
    await account.writes(IVAN, "Prices?")
    client = await the_client(app)
    await open_card(max_, client.id)
    await max_.press("Reply in Telegram")
    return len(account.session.requests)


async def test_a_long_reply_from_a_template_is_previewed_within_the_limit_and_sent_whole(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    """A filled template of 4080 UTF-16 units (emoji count twice): its preview under the
    heading would be over Telegram's 4096 and was refused, leaving the press unanswered; it
    is shown up to where it fits, the rest counted, and Send sends it whole. One over 4096
    units is refused when filled, not by Telegram when sent."""
    long_body = "Hello, {client.name}! " + "a🙂 " * 1015  # 3045 characters, 4080 units filled
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.templates.add_text(owner, "Long", long_body)
        await crm.templates.add_text(owner, "Too long", "🙂" * 2100)
    before = await replying(app, max_, account)
    await max_.press("📝 Too long")
    assert max_.alert is not None and "too long" in max_.alert
    await max_.press("📝 Long")
    preview = max_.last_message()
    assert len(preview.text.encode("utf-16-le")) // 2 <= 4096
    assert preview.text.startswith(
        "This goes to Ivan Petrov in Telegram:\n\nHello, Ivan Petrov! a🙂"
    )
    shown = preview.text.count("a🙂")
    assert 900 < shown < 1015
    whole = ("Hello, Ivan Petrov! " + "a🙂 " * 1015).strip()
    # What is left, counted as Telegram counts it (an emoji is two), as the refusal does.
    left = utf16_length(whole) - utf16_length("Hello, Ivan Petrov! " + "a🙂 " * (shown - 1) + "a🙂")
    assert preview.text.endswith(
        f"…and {left} more characters (Telegram counts an emoji as two): "
        "📤 Send sends the whole text."
    )
    await max_.press("📤 Send", preview)
    [sent] = [r for r in account.session.requests[before:] if isinstance(r, SendMessage)]
    assert sent.text == whole


async def test_a_reply_too_long_says_by_how_much_in_the_units_telegram_counts(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    """A reply of 2100 emoji (2100 characters, 4200 UTF-16 units) was refused as "at most
    4096 characters", which it is not over by any count a person makes: the refusal says
    how much too long it is in Telegram's units and that an emoji counts as two, in the
    reader's language, and the question stays open."""
    before = await replying(app, max_, account)
    [refused] = await max_.send("🙂" * 2100)
    assert refused.text == (
        "The reply is 104 characters too long for Telegram: at most 4096, "
        "and Telegram counts an emoji as two. Please make it shorter."
    )
    [refused] = await max_.send("a" + "🙂" * 2048)
    assert refused.text.startswith("The reply is 1 character too long for Telegram")
    assert not [
        r
        for r in account.session.requests[before:]
        if isinstance(r, SendMessage) and r.chat_id == IVAN.id
    ]
    async with app.crm.open() as crm:
        member = await crm.members.get_active(MAX)
        assert member is not None
        await crm.members.set_language(member, "ru")
    [refused] = await max_.send("🙂" * 2100)
    assert refused.text == (
        "Ответ длиннее, чем пропускает Telegram, на 104 символа: можно не больше 4096, "
        "и Telegram считает эмодзи за два. Сократите, пожалуйста."
    )
    await max_.send("🙂" * 2048)
    [sent] = [
        r
        for r in account.session.requests[before:]
        if isinstance(r, SendMessage) and r.chat_id == IVAN.id
    ]
    assert sent.text == "🙂" * 2048


async def archived_ivan(
    app: App, max_: SimulatedUser, account: SimulatedBusiness, text: str
) -> Client:
    """Ivan's card, made by his first message, archived by Max on the card."""
    await account.connect()
    await account.writes(IVAN, text)
    card = await the_client(app)
    await open_card(max_, card.id)
    await max_.press("🗄 Archive")
    return card


async def test_a_customer_writing_in_an_archived_cards_chat_restores_the_card(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    """The conversation went on a card no list shows; the card is restored, as a form lead
    on an archived card restores it, and its timeline says why."""
    card = await archived_ivan(app, max_, account, "Hello")
    assert "In the archive" in max_.last_message().text
    await account.writes(IVAN, "I'm back")
    assert (await the_client(app)).archived_at is None
    [listing] = await max_.send("/clients")
    assert "📇 Clients: 1" in listing.text  # the card is listed again
    await open_card(max_, card.id)
    assert "♻️ restored from the archive: the client wrote in a Business chat" in (
        max_.last_message().text
    )


async def test_the_members_own_message_in_an_archived_cards_chat_restores_the_card(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    """Max writing to the client from Telegram is working with them: the card was left in
    the archive, out of every list, while the conversation went on; now it is restored and
    its timeline says who brought it back."""
    card = await archived_ivan(app, max_, account, "Hello")
    await account.writes(IVAN, "Any news on my order?", mine=True)
    assert (await the_client(app)).archived_at is None
    [listing] = await max_.send("/clients")
    assert "📇 Clients: 1" in listing.text
    await open_card(max_, card.id)
    text = max_.last_message().text
    assert "♻️ restored from the archive: a member wrote to the client in a Business chat" in text
    [restored] = await rows(app, select(Event).where(Event.kind == "unarchived"))
    assert restored.actor_id == MAX


async def test_a_reply_from_an_archived_card_restores_it(
    app: App, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await archived_ivan(app, max_, account, "Is it in stock?")
    await max_.press("Reply in Telegram")
    await max_.send("Yes, 12 left")
    assert (await the_client(app)).archived_at is None
    [restored] = await rows(app, select(Event).where(Event.kind == "unarchived"))
    assert (restored.actor_id, restored.data) == (MAX, {"business": True})


async def asked_a_minute_ago(app: App, account: SimulatedBusiness, clock: ManualClock) -> Client:
    """Ivan's card, made by his question in Max's chats a minute ago."""
    await account.connect()
    await account.writes(IVAN, "Is it in stock?")
    clock.advance(timedelta(minutes=1))
    return await the_client(app)


async def while_archived(
    app: App, clock: ManualClock, client_id: int, work: Coroutine[Any, Any, object]
) -> None:
    """``work``, a message of Max's in Ivan's chat a minute after Ivan's, run while a member
    archives the card (a second connection holding the card's lock, the archive not
    committed; on SQLite ``work`` simply waits for the write lock): the card is restored.

    On PostgreSQL the reply and the inbox read the card without its lock, before the
    archive was committed: not archived yet, so nothing was restored, and the card went
    to the archive with the conversation going on after it, hidden from /clients. They
    lock it first now, as archiving it does (crm.row_locks), and restore what they find."""
    async with app.engine.connect() as other:
        await other.execute(lock(Client, client_id))
        archived = update(Client).where(Client.id == client_id)
        await other.execute(archived.values(archived_at=clock.now()))
        await once_other_commits(other, work)
    async with app.engine.connect() as db:
        assert await db.scalar(select(Client.archived_at).where(Client.id == client_id)) is None
        restored = await db.scalar(select(Event.actor_id).where(Event.kind == "unarchived"))
    assert restored == MAX


async def test_a_reply_sent_while_the_card_is_archived_restores_it(
    app: App, max_: SimulatedUser, account: SimulatedBusiness, clock: ManualClock
) -> None:
    client = await asked_a_minute_ago(app, account, clock)
    async with app.crm.open() as crm:
        member = await crm.members.get_active(MAX)
        assert member is not None
        target = await crm.business_replies.target(member, client.id)

    async def reply() -> Event | None:
        async with app.crm.open() as crm:
            return await crm.business_replies.sent(member, target, 555, "Yes, 12 left")

    await while_archived(app, clock, client.id, reply())


async def test_a_message_written_while_the_card_is_archived_restores_it(
    app: App, max_: SimulatedUser, account: SimulatedBusiness, clock: ManualClock
) -> None:
    client = await asked_a_minute_ago(app, account, clock)
    await while_archived(app, clock, client.id, account.writes(IVAN, "12, please", mine=True))


async def test_a_teammate_writing_to_a_members_account_is_not_a_new_client(
    app: App, owner_en: SimulatedUser, max_: SimulatedUser, account: SimulatedBusiness
) -> None:
    await account.connect()
    await account.writes(owner_en.user, "Max, the meeting is at three")
    await account.writes(owner_en.user, "Coming", mine=True)
    assert await count(app, Client) == 0
    assert await count(app, Lead) == 0
    assert await count(app, Event, Event.kind == "business_message") == 0
    assert await count(app, OutboxMessage, OutboxMessage.kind == "business_new_client") == 0
    await account.writes(IVAN, "Hello")  # a customer still gets a card
    assert (await the_client(app)).name == "Ivan Petrov"


async def test_an_account_connected_before_its_member_joined_is_taken_once_they_have(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """Connected while still a stranger (refused, nothing kept), the account stayed unknown
    after its owner joined: Telegram does not report a connection again, so every message
    of its chats was dropped. The bot now asks Telegram whose an unknown connection is."""
    stranger = customer(MAX, "Max")
    account = SimulatedBusiness(app.dispatcher, app.bot, stranger, connection_id="conn-early")
    assert await account.connect() == []
    assert await count(app, BusinessConnection) == 0

    def telegram_says(user_id: int) -> None:
        who = customer(user_id, "Max")
        connection = TgBusinessConnection(
            id="conn-early",
            user=who,
            user_chat_id=user_id,
            date=datetime.now(UTC),
            is_enabled=True,
            rights=BusinessBotRights(can_reply=True, can_read_messages=True),
        )
        account.session.answer_next(connection, GetBusinessConnection)

    telegram_says(MAX)
    await account.writes(IVAN, "Hello before Max joined")  # Max is not a member yet
    assert asked(account) == 1 and await count(app, Client) == 0
    await account.writes(IVAN, "Anyone?")  # still no member: not asked again so soon
    assert asked(account) == 1

    await join(MAX, first_name="Max", language_code="en")
    telegram_says(MAX)
    await account.writes(OLGA, "Hi, do you have it in blue?")
    assert asked(account) == 2
    client = await the_client(app)
    assert (client.name, client.manager_id) == ("Olga", MAX)
    [connection] = await rows(app, select(BusinessConnection))
    assert (connection.user_id, connection.enabled, connection.rights["can_reply"]) == (
        MAX,
        True,
        True,
    )
    await account.writes(OLGA, "Still there?")  # known now: Telegram is not asked
    assert asked(account) == 2
    texts = [e.text for e in await chat_events(app)]
    assert texts == ["Hi, do you have it in blue?", "Still there?"]


def asked(account: SimulatedBusiness) -> int:
    """How many times the bot asked Telegram whose a connection is."""
    return len([r for r in account.session.requests if isinstance(r, GetBusinessConnection)])
