""" "✏️ Fill … now" when someone else filled the field meanwhile: the press or the typed
value looks at the card again and sends what is true now, once, or says what is still
missing; a value filled by someone else is never overwritten unasked."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.clients import ClientDraft
from handlers.clients.callbacks import ClientCb
from storage.models import Client, Deal
from tests.conftest import OWNER_ID
from tests.test_templates_flow import a_deal, a_template, events, word_file

RUB = "\u00a0₽"


async def set_company(app: App, client_id: int, company: str) -> None:
    """Another member (here: another device) edits the client's company."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.client_edits.edit_text(me, client_id, "company", company)


async def missing_screen(owner: SimulatedUser, client_id: int, template: str) -> SentMessage:
    [card] = await owner.press_data(ClientCb(action="open", client_id=client_id).pack())
    [picked] = await owner.press("📨 Send", card)
    [missing] = await owner.press(template, picked)
    assert "has no value for" in missing.text
    return missing


async def company_asked(app: App, owner: SimulatedUser) -> Deal:
    """The owner, sending "Offer" from a deal whose client has no company, is asked for it."""
    deal = await a_deal(app, amount=150_00)
    await a_template(app, "Offer", "Dear {client.name} ({client.company})")
    missing = await missing_screen(owner, deal.client_id, "📝 Offer")
    [asked] = await owner.press("Fill {client.company} now", missing)
    assert asked.text == "Send the client's company."
    return deal


async def company(app: App, client_id: int) -> str | None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        return (await crm.clients.visible(me, client_id)).company


async def test_fill_pressed_after_the_field_was_filled_sends_what_is_there_once(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app)
    await a_template(app, "Offer", "Dear {client.name} ({client.company})")
    missing = await missing_screen(owner_en, deal.client_id, "📝 Offer")
    await set_company(app, deal.client_id, "Roga & Co")

    [fill] = [data for label, data, _url in missing.buttons if "Fill" in label]
    assert fill is not None
    [ready] = await owner_en.press_data(fill, missing)
    assert owner_en.alert == "Filled meanwhile: here it is with what the card has now."
    assert ready.text == "Dear Ivan Petrov (Roga & Co)"
    assert ready.message_id == missing.message_id
    assert await owner_en.press_data(fill, missing) == []  # pressed again
    assert owner_en.alert == "Already sent."
    assert len(await events(app, "template_prepared")) == 1


async def test_a_document_by_fill_pressed_twice_at_once_comes_once(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app)
    await a_template(app, "Offer doc", docx=word_file(["For {client.company}"]))
    missing = await missing_screen(owner_en, deal.client_id, "📄 Offer doc")
    await set_company(app, deal.client_id, "Roga & Co")
    await asyncio.gather(*(owner_en.press("Fill {client.company} now", missing) for _ in range(2)))
    documents = [m for m in owner_en.chat_messages() if m.method == "SendDocument"]
    assert len(documents) == 1
    assert "Already sent." in owner_en.alerts()
    assert len(await events(app, "template_prepared")) == 1


async def test_fill_pressed_when_only_what_cannot_be_filled_here_is_missing(
    app: App, owner_en: SimulatedUser
) -> None:
    """The company was filled meanwhile; the manager's phone (the member's profile) is still
    missing: nothing is sent with its place empty unasked, the screen says what is missing."""
    deal = await a_deal(app)
    await a_template(app, "Offer", "{client.company}, call {manager.phone}")
    missing = await missing_screen(owner_en, deal.client_id, "📝 Offer")
    assert "{client.company}, {manager.phone}" in missing.text
    await set_company(app, deal.client_id, "Roga & Co")

    [now] = await owner_en.press("Fill {client.company} now", missing)
    assert owner_en.alert == "Filled meanwhile. This is what is still missing."
    assert "«Offer» has no value for: {manager.phone}." in now.text
    labels = [label for label, _data, _url in now.buttons]
    assert not any("Fill" in label for label in labels) and "📨 Send anyway" in labels
    assert await events(app, "template_prepared") == []
    [ready] = await owner_en.press("Send anyway", now)
    assert ready.text == "Roga & Co, call "


async def test_a_value_typed_after_someone_filled_the_field_does_not_overwrite_it(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await company_asked(app, owner_en)
    await set_company(app, deal.client_id, "Roga & Co")

    told, ready = await owner_en.send("Horns Ltd")
    assert told.text == (
        "Someone filled {client.company} meanwhile: «Roga & Co». Yours was not saved; "
        "the template is filled with what the card has now."
    )
    assert ready.text == "Dear Ivan Petrov (Roga & Co)"
    assert await company(app, deal.client_id) == "Roga & Co"
    assert len(await events(app, "template_prepared")) == 1


async def test_a_value_typed_for_one_field_when_another_is_still_missing(
    app: App, owner_en: SimulatedUser
) -> None:
    """Filled meanwhile, the field is kept as it is; the next one missing is offered."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        client = await crm.clients.create(me, ClientDraft(name="Anna"), force=True)
        assert isinstance(client, Client)
    await a_template(app, "Call", "{client.company}: {client.phone}")
    missing = await missing_screen(owner_en, client.id, "📝 Call")
    await owner_en.press("Fill {client.company} now", missing)
    await set_company(app, client.id, "Roga & Co")
    told, rest = await owner_en.send("Horns Ltd")
    assert told.text.startswith("Someone filled {client.company} meanwhile: «Roga & Co».")
    assert "«Call» has no value for: {client.phone}." in rest.text
    assert "Fill {client.phone} now" in rest.buttons[0][0]
    assert await company(app, client.id) == "Roga & Co"
