"""Issue 10, item 13: a card's phones and emails are added and removed one at a time with
buttons; removing asks first; another client's phone is refused with its name; a second
press of "remove" and a forged press are refused; nothing is wiped by "-"."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.contacts import value_token
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MILA = 5701


async def contacts_of(app: App, client_id: int) -> tuple[list[str], list[str]]:
    async with app.crm.open() as crm:
        found = await crm.clients.contacts(client_id)
    return found.phones, found.emails


def labels(message: SentMessage) -> list[str]:
    return [text for text, _data, _url in message.buttons]


async def test_phones_one_at_a_time(app: App, owner_en: SimulatedUser) -> None:
    acme = await make_client(app, OWNER_ID, "Acme", phones=("+79990000001", "+79990000002"))
    await make_client(app, OWNER_ID, "Other Co", phones=("+79990000009",))
    await owner_en.press_data(ClientCb(action="open", client_id=acme.id).pack())
    await owner_en.press("Edit")
    [screen] = await owner_en.press("Phones")
    assert screen.text.startswith("Phones of Acme")
    assert "✖️ +7 999 000-00-01" in labels(screen) and "✖️ +7 999 000-00-02" in labels(screen)

    # "-" once wiped every phone; now it is just not a phone.
    await owner_en.press("Add a phone", screen)
    [reply] = await owner_en.send("-")
    assert reply.text.startswith("“-” is not a phone number I can read.")
    [reply] = await owner_en.send("8 999 000 00 09")  # Other Co's, written differently
    assert reply.text == "+79990000009 is already on the card of Other Co."
    [screen] = await owner_en.send("+7 (999) 000-00-03")
    assert "📞 +7 999 000-00-03" in screen.text
    assert (await contacts_of(app, acme.id))[0] == ["+79990000001", "+79990000002", "+79990000003"]

    # Removing asks first; "No" keeps it; "Yes" removes that one only.
    [question] = await owner_en.press("✖️ +7 999 000-00-01", screen)
    assert question.text == "Remove +7 999 000-00-01 from the card of Acme?"
    [screen] = await owner_en.press("No, back", question)
    assert len((await contacts_of(app, acme.id))[0]) == 3
    [question] = await owner_en.press("✖️ +7 999 000-00-01", screen)
    [screen] = await owner_en.press("Yes, remove", question)
    assert owner_en.alert == "Removed."
    assert "+7 999 000-00-01" not in screen.text
    assert (await contacts_of(app, acme.id))[0] == ["+79990000002", "+79990000003"]

    # The same "Yes" pressed again: already removed, nothing else goes.
    again = ClientCb(
        action=CardAction.UNCONTACT_YES, client_id=acme.id, code="p" + value_token("+79990000001")
    )
    await owner_en.press_data(again.pack(), screen)
    assert owner_en.alert == "That was already removed."
    assert (await contacts_of(app, acme.id))[0] == ["+79990000002", "+79990000003"]


async def test_emails_one_at_a_time_and_forged_presses(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mila = await join(MILA, "manager", "Mila", language_code="en")
    acme = await make_client(app, OWNER_ID, "Acme", emails=("sales@acme.com",))
    await owner_en.press_data(
        ClientCb(action=CardAction.CONTACTS, client_id=acme.id, code="emails").pack()
    )
    [question] = await owner_en.press("Add an email")
    assert question.text == "Send one email for Acme, e.g. name@example.com."
    [screen] = await owner_en.send("Boss@ACME.com")
    assert "✉️ boss@acme.com" in screen.text and "✉️ sales@acme.com" in screen.text
    [question] = await owner_en.press("✖️ sales@acme.com", screen)
    await owner_en.press("Yes, remove", question)
    assert (await contacts_of(app, acme.id))[1] == ["boss@acme.com"]

    # Mila cannot see the owner's client: every contact button says it is gone.
    token = "e" + value_token("boss@acme.com")
    for action, code in (
        (CardAction.CONTACTS, "emails"),
        (CardAction.CONTACT_ADD, "emails"),
        (CardAction.UNCONTACT, token),
        (CardAction.UNCONTACT_YES, token),
    ):
        await mila.press_data(ClientCb(action=action, client_id=acme.id, code=code).pack())
        assert mila.alert == "This record no longer exists.", action
    await owner_en.press_data(
        ClientCb(action=CardAction.CONTACTS, client_id=acme.id, code="fax").pack()
    )
    assert owner_en.alert == "This button is no longer active."
    assert (await contacts_of(app, acme.id))[1] == ["boss@acme.com"]
