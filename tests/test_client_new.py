"""Adding a client through the bot: the /new dialog, quick add, contacts, forwards, duplicates."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage
from aiogram.types import User as TgUser
from sqlalchemy import select

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.clients import Contacts
from handlers.clients.callbacks import NewClientCb
from storage.engine import create_session_factory
from storage.models import Client, Event
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

INACTIVE = "This button is no longer active."
NAME_QUESTION = "What is the client's name?"
PHONE_QUESTION = "Phone number? For example +7 999 123-45-67. Several can go separated by commas."
EMAIL_QUESTION = "Email? For example ivan@mail.ru."
SOURCE_QUESTION = "Where did the client come from? Pick a source or type one."
BAD_PHONE = "“{}” is not a phone number I can read. Try +7 999 123-45-67 or 8 999 123 45 67."
ELSEWHERE = "A client with this phone already exists and belongs to another manager."


async def clients(app: App) -> list[tuple[Client, Contacts]]:
    """Every client in the database with its contacts, oldest first."""
    async with create_session_factory(app.engine)() as session:
        rows = list(await session.scalars(select(Client).order_by(Client.id)))
    async with app.crm.open() as crm:
        return [(client, await crm.clients.contacts(client.id)) for client in rows]


async def comments(app: App, client_id: int) -> list[str]:
    async with create_session_factory(app.engine)() as session:
        rows = await session.scalars(
            select(Event.text).where(Event.client_id == client_id, Event.kind == "comment")
        )
        return [str(text) for text in rows]


# --- the dialog ----------------------------------------------------------------------------------


async def test_dialog_with_skips_creates_the_client_and_opens_its_card(
    app: App, owner_en: SimulatedUser
) -> None:
    [reply] = await owner_en.send("/new")
    assert reply.text == f"New client.\n{NAME_QUESTION}"
    assert [text for text, _d, _u in reply.buttons] == ["✖️ Cancel"]  # the name cannot be skipped
    [reply] = await owner_en.send("Ivan Petrov")
    assert reply.text == SOURCE_QUESTION  # no client has a source yet: none to pick
    assert [text for text, _d, _u in reply.buttons] == ["⏭ Skip", "✅ Save as is", "✖️ Cancel"]
    [reply] = await owner_en.send("Instagram")
    assert reply.text == PHONE_QUESTION
    assert [text for text, _d, _u in reply.buttons] == ["⏭ Skip", "✅ Save as is", "✖️ Cancel"]
    [edited] = await owner_en.press("Skip")
    assert edited.message_id == reply.message_id and edited.text == EMAIL_QUESTION
    [reply] = await owner_en.send("Ivan@Mail.ru")
    assert reply.text == "Company?"
    [reply] = await owner_en.press("Skip")
    assert reply.text == "City?"
    [card] = await owner_en.send("Tver")
    assert card.text.startswith("👤 Ivan Petrov\n")
    assert "✉️ ivan@mail.ru" in card.text and "📍 Tver" in card.text
    assert "🏢" not in card.text and "📞" not in card.text

    [(client, contacts)] = await clients(app)
    assert (client.name, client.company, client.city) == ("Ivan Petrov", None, "Tver")
    assert client.source == "Instagram"
    assert (contacts.phones, contacts.emails) == ([], ["ivan@mail.ru"])
    assert client.manager_id == OWNER_ID
    # The card is open: a plain message now is a note on it.
    [ack] = await owner_en.send("Called, wants a quote")
    assert ack.text == "Comment added to Ivan Petrov."


async def test_menu_button_and_skipping_everything(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("➕ New client")
    await owner_en.send("Anna")
    for _step in ("source", "phone", "email", "company"):
        await owner_en.press("Skip")
    [card] = await owner_en.press("Skip")  # the last skip turns the question into the card
    assert card.text.startswith("👤 Anna\n")
    # A second press of an old Skip does nothing.
    await owner_en.press_data(NewClientCb(action="skip_city").pack(), card)
    assert owner_en.alert == INACTIVE
    assert [c.name for c, _contacts in await clients(app)] == ["Anna"]


async def test_every_step_explains_and_asks_again(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("/new")
    [reply] = await owner_en.send("   ")
    assert reply.text == f"This cannot be empty. Please send it again.\n{NAME_QUESTION}"
    [reply] = await owner_en.send("N" * 201)
    assert reply.text == (
        "That is too long: at most 200 characters. Please send a shorter one.\n" + NAME_QUESTION
    )
    [reply] = await owner_en.send_document("passport.pdf")
    assert reply.text == "Send the value as text, or /cancel."
    [reply] = await owner_en.send("N" * 200)
    assert reply.text == SOURCE_QUESTION
    [reply] = await owner_en.send("S" * 101)
    assert reply.text == (
        "That is too long: at most 100 characters. Please send a shorter one.\n" + SOURCE_QUESTION
    )
    [reply] = await owner_en.press("Skip")
    assert reply.text == PHONE_QUESTION

    [reply] = await owner_en.send("12345")
    assert reply.text == BAD_PHONE.format("12345") + "\n" + PHONE_QUESTION
    assert "⏭ Skip" in [text for text, _d, _u in reply.buttons]
    [reply] = await owner_en.send("call me")
    assert reply.text.startswith(BAD_PHONE.format("call me"))
    [reply] = await owner_en.send("8 (999) 123-45-67, +1 415 555 2671")
    assert reply.text == EMAIL_QUESTION

    [reply] = await owner_en.send("ivan@")
    assert reply.text == (
        "“ivan@” is not an email address. Try name@example.com.\n" + EMAIL_QUESTION
    )
    [reply] = await owner_en.send("ivan@mail.ru")
    assert reply.text == "Company?"
    [reply] = await owner_en.send("C" * 201)
    assert reply.text.startswith("That is too long: at most 200 characters.")
    [reply] = await owner_en.send("Acme LLC")
    assert reply.text == "City?"
    [reply] = await owner_en.send("T" * 101)
    assert reply.text.startswith("That is too long: at most 100 characters.")
    assert await clients(app) == []
    [card] = await owner_en.send("Tver")
    assert card.text.startswith("👤 " + "N" * 200)

    [(client, contacts)] = await clients(app)
    assert (client.company, client.city) == ("Acme LLC", "Tver")
    assert contacts.phones == ["+79991234567", "+14155552671"]


async def test_cancel_and_other_commands_leave_the_dialog(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/new")
    [reply] = await owner_en.send("/cancel")
    assert reply.text == "Cancelled."
    await owner_en.send("/new")
    await owner_en.send("Ivan")
    # Another command is not taken for a phone: it leaves the dialog and does its own job.
    [reply] = await owner_en.send("/find Ivan")
    assert reply.text == "Nothing found for “Ivan”."
    [reply] = await owner_en.send("+7 999 123-45-67")
    assert reply.text != EMAIL_QUESTION
    # So does a menu button: the list answers, and the next text is a search again.
    await owner_en.send("/new")
    replies = await owner_en.send("📇 Clients")
    assert all(NAME_QUESTION not in sent.text and "Phone" not in sent.text for sent in replies)
    [reply] = await owner_en.send("Ivan")
    assert reply.text == "Nothing found for “Ivan”."
    assert await clients(app) == []


async def test_name_with_markup_characters_is_shown_literally(
    app: App, owner_en: SimulatedUser, session: OfflineSession
) -> None:
    name = "<b>Bold</b> & Co_*[x](y) `z`"
    [card] = await owner_en.send(f"/new {name}")
    assert card.text.startswith(f"👤 {name}\n")
    # Bold comes from an entity; the name itself is never parsed as markup.
    assert (card.entities[0].type, card.entities[0].offset) == ("bold", 0)
    sent = [r for r in session.requests if isinstance(r, SendMessage)][-1]
    assert sent.parse_mode is None
    [(client, _contacts)] = await clients(app)
    assert client.name == name


# --- quick add -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["+7 999 123-45-67", "8 (999) 123-45-67", "+79991234567", "9991234567"]
)
async def test_quick_add_with_every_part(app: App, owner_en: SimulatedUser, phone: str) -> None:
    [card] = await owner_en.send(f"/new Иван Петров {phone} ivan@mail.ru ООО Ромашка")
    lines = card.text.splitlines()
    assert lines[:4] == [
        "👤 Иван Петров",
        "🏢 ООО Ромашка",
        "📞 +7 999 123-45-67",
        "✉️ ivan@mail.ru",
    ]
    [(client, contacts)] = await clients(app)
    assert (client.name, client.company) == ("Иван Петров", "ООО Ромашка")
    assert (contacts.phones, contacts.emails) == (["+79991234567"], ["ivan@mail.ru"])


async def test_quick_add_takes_hash_words_as_tags(app: App, owner_en: SimulatedUser) -> None:
    [card] = await owner_en.send("/new Иван Петров +7 999 123-45-67 #Опт #vip")
    assert card.text.startswith("👤 Иван Петров\n📞 +7 999 123-45-67")
    assert "🏢" not in card.text  # the tags are no company
    [(client, contacts)] = await clients(app)
    assert (client.name, client.company, contacts.tags) == ("Иван Петров", None, ["vip", "опт"])
    [found] = await owner_en.send("/find #опт")  # found by its tag as any tagged card
    assert found.text.startswith("👤 Иван Петров")


async def test_quick_add_refuses_a_tag_too_long_before_anything_is_saved(
    app: App, owner_en: SimulatedUser
) -> None:
    [reply] = await owner_en.send("/new Ivan #" + "t" * 65)
    assert "64" in reply.text
    assert await clients(app) == []
    [card] = await owner_en.send("/new Ivan")  # no dialog was left half-way
    assert card.text.startswith("👤 Ivan\n")


async def test_quick_add_with_a_bad_phone_or_email_creates_nothing(
    app: App, owner_en: SimulatedUser
) -> None:
    [reply] = await owner_en.send("/new Пётр 123-45 petr@mail.ru")
    assert reply.text.splitlines()[:2] == [
        "I could not understand part of that, so nothing was saved:",
        "• “123-45” is not a phone number I can read.",
    ]
    assert "/new" in reply.text.splitlines()[-1]
    [reply] = await owner_en.send("/new Ivan +7 999 12 ivan@")
    assert reply.text.splitlines()[1:3] == [
        "• “+7 999 12” is not a phone number I can read.",
        "• “ivan@” is not an email address.",
    ]
    [reply] = await owner_en.send("/new Ivan 8 999 " + "1" * 3000)
    assert len(reply.text) < 1000  # the fragment is shortened, never echoed whole
    assert await clients(app) == []


async def test_quick_add_without_a_name_asks_for_it_and_keeps_the_rest(
    app: App, owner_en: SimulatedUser
) -> None:
    [reply] = await owner_en.send("/new +7 999 123-45-67 anna@mail.ru")
    assert reply.text == NAME_QUESTION
    [card] = await owner_en.send("Anna")
    assert card.text.startswith("👤 Anna\n") and "📞 +7 999 123-45-67" in card.text
    [(_client, contacts)] = await clients(app)
    assert (contacts.phones, contacts.emails) == (["+79991234567"], ["anna@mail.ru"])


async def test_quick_add_with_a_name_of_201_chars_asks_again(
    app: App, owner_en: SimulatedUser
) -> None:
    [reply] = await owner_en.send("/new " + "N" * 201 + " +7 999 123-45-67")
    assert reply.text == (
        "That is too long: at most 200 characters. Please send a shorter one.\n" + NAME_QUESTION
    )
    assert await clients(app) == []
    [card] = await owner_en.send("Nina")
    assert card.text.startswith("👤 Nina\n")
    [(_client, contacts)] = await clients(app)
    assert contacts.phones == ["+79991234567"]


async def test_quick_add_with_a_company_too_long_asks_for_it_again(
    app: App, owner_en: SimulatedUser
) -> None:
    [reply] = await owner_en.send("/new Ivan +7 999 123-45-67 ООО " + "Ромашка" * 30)
    assert reply.text == (
        "That is too long: at most 200 characters. Please send a shorter one.\nCompany?"
    )
    [card] = await owner_en.send("ООО Ромашка")
    assert card.text.startswith("👤 Ivan\n🏢 ООО Ромашка\n📞 +7 999 123-45-67")


# --- duplicates ----------------------------------------------------------------------------------


async def test_duplicate_phone_offers_open_or_create_anyway(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/new Ivan Petrov +7 999 123-45-67")
    [prompt] = await owner_en.send("/new Ivan Second 8 999 123 45 67")
    assert prompt.text == "Ivan Petrov already has the phone +7 999 123-45-67."
    assert [text for text, _d, _u in prompt.buttons] == [
        "👤 Open Ivan Petrov",
        "➕ Create anyway",
        "✖️ Cancel",
    ]
    [reply] = await owner_en.send("hello?")
    assert reply.text.startswith("Choose a button above")
    [card] = await owner_en.press("Open Ivan Petrov")
    assert card.message_id == prompt.message_id and card.text.startswith("👤 Ivan Petrov\n")
    # Opening the existing client dropped the draft: the old Create anyway is dead.
    force = NewClientCb(action="force").pack()
    assert await owner_en.press_data(force, prompt) == []
    assert owner_en.alert == INACTIVE
    assert [c.name for c, _contacts in await clients(app)] == ["Ivan Petrov"]

    [prompt] = await owner_en.send("/new Ivan Second 8 999 123 45 67")
    [card] = await owner_en.press("Create anyway", prompt)
    assert card.text.startswith("👤 Ivan Second\n")
    assert await owner_en.press_data(force, prompt) == []  # pressed twice: one client
    assert owner_en.alert == INACTIVE
    names = [(c.name, contacts.phones) for c, contacts in await clients(app)]
    assert names == [("Ivan Petrov", ["+79991234567"]), ("Ivan Second", ["+79991234567"])]


async def test_duplicate_email_found_at_the_end_of_the_dialog(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/new Olga ivan@mail.ru")
    await owner_en.send("/new")
    await owner_en.send("Petr")
    await owner_en.press("Skip")  # the source
    await owner_en.press("Skip")  # the phone
    await owner_en.send("IVAN@mail.ru")
    await owner_en.send("Acme")
    [prompt] = await owner_en.send("Tver")
    assert prompt.text == "Olga already has the email ivan@mail.ru."
    data = next(d for text, d, _u in prompt.buttons if text == "➕ Create anyway")
    assert data is not None
    [card] = await owner_en.press_data(data, prompt)
    assert card.text.startswith("👤 Petr\n") and "🏢 Acme" in card.text
    assert await owner_en.press_data(data, prompt) == []
    assert [c.name for c, _contacts in await clients(app)] == ["Olga", "Petr"]


async def test_invisible_duplicate_reveals_nothing_and_offers_only_create(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(5001, "manager", "Mark", language_code="en")
    await owner_en.send("/new Secret Client +7 999 123-45-67 secret@corp.ru")
    [prompt] = await manager.send("/new Mark's Lead secret@corp.ru")
    assert prompt.text == (
        "A client with this email already exists and belongs to another manager."
    )
    assert [text for text, _d, _u in prompt.buttons] == ["➕ Create anyway", "✖️ Cancel"]
    # Forged Open of the other manager's client is refused like a missing one.
    opened = NewClientCb(action="open_dup", client_id=1).pack()
    assert await manager.press_data(opened, prompt) == []
    assert manager.alert == "This record no longer exists."
    [card] = await manager.press("Create anyway", prompt)
    assert card.text.startswith("👤 Mark's Lead\n")
    assert all("Secret" not in sent.text for sent in manager.chat_messages())
    assert [c.manager_id for c, _contacts in await clients(app)] == [OWNER_ID, 5001]


# --- shared contacts -----------------------------------------------------------------------------


async def test_shared_contact_creates_then_opens_the_existing_client(
    app: App, owner_en: SimulatedUser
) -> None:
    [card] = await owner_en.share_contact("+79991234567", "Anna", "Smith", user_id=777)
    assert card.text.startswith("👤 Anna Smith\n") and "📞 +7 999 123-45-67" in card.text
    # Telegram usually gives the number without "+"; it is the same phone.
    note, card = await owner_en.share_contact("79991234567", "Anna")
    assert note.text == "This phone is already in the base; here is the card."
    assert card.text.startswith("👤 Anna Smith\n")
    [(client, contacts)] = await clients(app)
    assert (client.name, contacts.phones) == ("Anna Smith", ["+79991234567"])
    # A foreign number without "+" is read as international.
    [card] = await owner_en.share_contact("14155552671", "John")
    assert "📞 +1 415-555-2671" in card.text
    [reply] = await owner_en.share_contact("12", "Broken")
    assert reply.text.startswith("I could not read the phone number “12” of this contact")
    assert len(await clients(app)) == 2


async def test_contact_of_another_managers_client_reveals_nothing(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(5002, "manager", "Mila", language_code="en")
    await owner_en.send("/new Confidential Buyer +7 999 123-45-67 ООО Тайна")
    [reply] = await manager.share_contact("+79991234567", "Somebody")
    assert reply.text == ELSEWHERE
    assert [text for text, _d, _u in reply.buttons] == ["➕ Create anyway", "✖️ Cancel"]
    for sent in manager.chat_messages():
        assert "Confidential" not in sent.text and "Тайна" not in sent.text
        assert all("Confidential" not in text for text, _d, _u in sent.buttons)
    assert len(await clients(app)) == 1


# --- forwarded messages --------------------------------------------------------------------------


async def test_forward_from_a_user_creates_a_client_with_the_text_as_first_comment(
    app: App, owner_en: SimulatedUser
) -> None:
    sender = TgUser(id=555, is_bot=False, first_name="Maria", last_name="Ivanova")
    [prompt] = await owner_en.forward("Hi! I need 20 chairs <b>by Friday</b>", sender=sender)
    assert prompt.text.startswith("A message from Maria Ivanova.")
    assert [text for text, _d, _u in prompt.buttons] == [
        "➕ New client: Maria Ivanova",
        "🔎 Find a client",
        "✖️ Cancel",
    ]
    [card] = await owner_en.press("New client", prompt)
    assert card.message_id == prompt.message_id
    assert card.text.startswith("👤 Maria Ivanova\n")
    assert "Hi! I need 20 chairs <b>by Friday</b>" in card.text
    await owner_en.press_data(NewClientCb(action="fwd_new").pack(), prompt)
    assert owner_en.alert == INACTIVE
    [(client, _contacts)] = await clients(app)
    assert await comments(app, client.id) == ["Hi! I need 20 chairs <b>by Friday</b>"]


async def test_forward_from_a_channel_goes_to_the_open_card(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/new Ivan Petrov")
    [prompt] = await owner_en.forward("Order #12 confirmed", channel="Orders")
    assert prompt.text == "A forwarded message. Add it to a client's history?"
    assert [text for text, _d, _u in prompt.buttons] == [
        "💬 Add to Ivan Petrov",
        "🔎 Find another client",
        "✖️ Cancel",
    ]
    [ack] = await owner_en.press("Add to Ivan Petrov", prompt)
    assert ack.text == "Comment added to Ivan Petrov."
    [(client, _contacts)] = await clients(app)
    assert await comments(app, client.id) == ["Order #12 confirmed"]


async def test_forward_from_a_hidden_user(app: App, owner_en: SimulatedUser) -> None:
    [prompt] = await owner_en.forward("Please call me back", hidden_name="Secret Sam")
    assert prompt.text.startswith("A message from Secret Sam.")
    [card] = await owner_en.press("New client: Secret Sam", prompt)
    assert card.text.startswith("👤 Secret Sam\n")
    [(client, _contacts)] = await clients(app)
    assert await comments(app, client.id) == ["Please call me back"]


async def test_forward_to_a_client_found_by_search(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.send("/new Ivan Petrov +7 999 123-45-67")
    await owner_en.send("/new Petr Sidorov")
    sender = TgUser(id=556, is_bot=False, first_name="Ivan")
    [prompt] = await owner_en.forward("See you at 5", sender=sender)
    add_to_open = next(d for text, d, _u in prompt.buttons if text.startswith("💬 Add to"))
    assert add_to_open is not None
    [ask] = await owner_en.press("Find another client", prompt)
    assert ask.text == "Which client? Send a name, phone or email to find them."
    [reply] = await owner_en.send("Nobody")
    assert reply.text.startswith("Nothing found for “Nobody”.")
    [results] = await owner_en.send("999 123")
    assert results.text == "Which client gets the message?"
    assert [text for text, _d, _u in results.buttons] == ["Ivan Petrov", "✖️ Cancel"]
    # The first prompt's buttons are not live any more; the results are.
    assert await owner_en.press_data(add_to_open, prompt) == []
    assert owner_en.alert == INACTIVE
    pick = results.buttons[0][1]
    assert pick is not None
    [ack] = await owner_en.press_data(pick, results)
    assert ack.text == "Comment added to Ivan Petrov."
    assert await owner_en.press_data(pick, results) == []
    assert owner_en.alert == INACTIVE
    assert await comments(app, 1) == ["See you at 5"]
    assert await comments(app, 2) == []


async def test_forward_checks_access_on_every_press(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    manager = await join(5003, "manager", "Nika", language_code="en")
    await owner_en.send("/new Owner's Client")
    [prompt] = await manager.forward("Some text", hidden_name="Bob")
    forged = NewClientCb(action="fwd_add", client_id=1).pack()
    assert await manager.press_data(forged, prompt) == []
    assert manager.alert == "This record no longer exists."
    assert await comments(app, 1) == []
    # The forwarded text is still there for the right client.
    [card] = await manager.press("New client: Bob", prompt)
    assert card.text.startswith("👤 Bob\n")


async def test_forwarded_text_too_long_for_a_comment(app: App, owner_en: SimulatedUser) -> None:
    [reply] = await owner_en.forward("x" * 4001, hidden_name="Chatty")
    assert reply.text == "The forwarded text is too long for a comment: at most 4000 characters."
    assert reply.buttons == []
    [prompt] = await owner_en.forward("x" * 4000, hidden_name="Chatty")
    await owner_en.press("New client", prompt)
    [(client, _contacts)] = await clients(app)
    assert await comments(app, client.id) == ["x" * 4000]


async def test_the_usual_sources_are_offered_and_a_name_alone_takes_one_tap(
    app: App, owner_en: SimulatedUser
) -> None:
    for name, source in (("A", "site"), ("B", "Avito"), ("C", "site"), ("D", None)):
        await make_client(app, OWNER_ID, name, source=source)
    await owner_en.send("/new")
    [reply] = await owner_en.send("Olga")
    assert [text for text, _d, _u in reply.buttons] == [
        "site",  # the most frequent first
        "Avito",
        "⏭ Skip",
        "✅ Save as is",
        "✖️ Cancel",
    ]
    [reply] = await owner_en.press("Avito", reply)
    assert reply.text == PHONE_QUESTION
    await owner_en.press_data(NewClientCb(action="source", n=1).pack(), reply)  # too late
    assert owner_en.alert == INACTIVE
    [card] = await owner_en.press("Save as is", reply)
    assert card.text.startswith("👤 Olga\n")
    await owner_en.press_data(NewClientCb(action="save").pack(), card)  # pressed twice
    assert owner_en.alert == INACTIVE
    olga = [c for c, _contacts in await clients(app) if c.name == "Olga"]
    assert [c.source for c in olga] == ["Avito"]

    # A name alone: one tap.
    await owner_en.send("/new")
    [reply] = await owner_en.send("Pavel")
    [card] = await owner_en.press("Save as is", reply)
    assert card.text.startswith("👤 Pavel\n")
    pavel = [c for c, _contacts in await clients(app) if c.name == "Pavel"]
    assert [(c.source, c.city) for c in pavel] == [(None, None)]
    # A forged source index is refused as an old button.
    await owner_en.send("/new")
    [reply] = await owner_en.send("Roma")
    await owner_en.press_data(NewClientCb(action="source", n=7).pack(), reply)
    assert owner_en.alert == INACTIVE


async def test_a_dash_typed_for_a_step_that_can_be_skipped_skips_it(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "-" is "none" when editing the card; typed in /new it was stored: the card read
    "🏢 -", "Source: -", and a phone "-" was "not a phone number I can read"."""
    await owner_en.send("/new")
    [reply] = await owner_en.send("-")  # no name: asked again
    assert reply.text.startswith("A name needs at least one letter or digit.")
    await owner_en.send("Anna")
    replies = [await owner_en.send(dash) for dash in ("-", "—", " – ", "-", "-")]
    assert [r.text for [r] in replies[:4]] == [PHONE_QUESTION, EMAIL_QUESTION, "Company?", "City?"]
    [[card]] = replies[4:]
    assert card.text.startswith("👤 Anna\nStatus:"), card.text
    assert "Source:" not in card.text
    [(client, contacts)] = await clients(app)
    assert (client.source, client.company, client.city) == (None, None, None)
    assert (contacts.phones, contacts.emails) == ([], [])


async def test_a_phone_and_an_email_copied_with_marks_that_show_nothing(
    app: App, owner_en: SimulatedUser
) -> None:
    """A number copied from a phone's contacts comes wrapped in direction marks, one from a
    page with no-break hyphens: "“+7 (999) 123-45-67” is not a phone number I can read."
    quoted back a number that looks right."""
    await owner_en.send("/new")
    await owner_en.send("Anna")
    await owner_en.press("Skip")
    [reply] = await owner_en.send("\u202a+7 (999) 123-45-67\u202c, +7 916 765\u201143\u201121")
    assert reply.text == EMAIL_QUESTION, reply.text
    [reply] = await owner_en.send("anna@mail.ru\u200b")
    assert reply.text == "Company?", reply.text
    await owner_en.press("Save as is")
    [(_client, contacts)] = await clients(app)
    assert contacts.phones == ["+79991234567", "+79167654321"]
    assert contacts.emails == ["anna@mail.ru"]
    [found] = await owner_en.send("/find \u202a+7 916 765\u201143\u201121\u202c")
    assert found.text.startswith("👤 Anna"), found.text


async def test_an_email_copied_in_angle_brackets_is_read_as_quick_add_reads_it(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "/new Anna <anna@mail.ru>" took the address; the dialog's email step (and ✏️ Edit →
    Emails → Add an email) answered that "<anna@mail.ru>" is not an email address."""
    await owner_en.send("/new")
    await owner_en.send("Anna")
    await owner_en.press("Skip")
    await owner_en.press("Skip")
    [reply] = await owner_en.send("<Anna@Mail.ru>")
    assert reply.text == "Company?", reply.text
    await owner_en.press("Save as is")
    [(_client, contacts)] = await clients(app)
    assert contacts.emails == ["anna@mail.ru"]
    for button in ("Edit", "Emails", "Add an email"):
        await owner_en.press(button)
    [screen] = await owner_en.send("«anna.lee@mail.ru».")
    assert "✉️ anna.lee@mail.ru" in screen.text, screen.text
