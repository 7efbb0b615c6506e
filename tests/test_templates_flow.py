"""Templates through the Dispatcher: the owner's /settings → Templates (add a message or a
.docx, refusals named, delete after asking) and "📨 Send" on a client's and a deal's card
(missing values first, fill the field now or send anyway, the ready text or the filled
document, Send by email to a local SMTP server and its failure told)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import pytest
from docx import Document
from sqlalchemy import select

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SentMessage, SimulatedUser
from bot.startup import prepare_database
from crm import docx_fill
from crm.cards import CardKind, CardRef
from crm.clients import ClientDraft
from crm.clock import ManualClock
from crm.errors import InvalidInput
from crm.parsing.fields import FieldType
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from handlers.templates.callbacks import TplAction, TplCb
from storage.engine import create_session_factory
from storage.models import Client, Deal, Event, Template
from tests.conftest import OWNER_ID, Joiner, UserFactory, make_settings, unhurried
from tests.test_templates_core import Inbox, inbox, word_file

__all__ = ["inbox"]  # the local SMTP server's fixture, shared with the core tests

RUB = "\u00a0₽"


@pytest.fixture
async def app(
    request: pytest.FixtureRequest, database_url: str, clock: ManualClock
) -> AsyncIterator[App]:
    """The app; parametrized with "smtp", it has the local SMTP server as the team's."""
    overrides: dict[str, object] = {}
    if getattr(request, "param", None) == "smtp":
        _handler, port = request.getfixturevalue("inbox")
        overrides = {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_from": "Sales <sales@example.com>",
            "smtp_tls": "none",
        }
    application = build_app(
        make_settings(database_url, **overrides),
        session=OfflineSession(),
        clock=clock,
        limits=unhurried(),
    )
    await prepare_database(application)
    yield application
    await application.close()


async def a_deal(app: App, company: str | None = None, amount: int = 15_000_000) -> Deal:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        draft = ClientDraft(name="Ivan Petrov", company=company, emails=("ivan@example.com",))
        client = await crm.clients.create(me, draft, force=True)
        assert isinstance(client, Client)
        return await crm.deals.create(me, client.id, amount, "Kitchen")


async def a_template(app: App, name: str, body: str | None = None, docx: bytes = b"") -> int:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        if body is not None:
            return (await crm.templates.add_text(me, name, body)).id
        return (await crm.templates.add_docx(me, name, docx)).id


async def sent_from_a_deal(app: App, owner: SimulatedUser, button: str) -> bytes:
    """The document a template's ``button`` sends from a new deal's "📨 Send"."""
    deal = await a_deal(app)
    await owner.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner.press("📨 Send")
    [document] = await owner.press(button)
    assert document.data is not None
    return document.data


async def templates(app: App) -> list[Template]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(Template)))


async def events(app: App, kind: str) -> list[Event]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(Event).where(Event.kind == kind)))


async def test_the_owner_adds_a_message_template_and_deletes_it(owner_en: SimulatedUser) -> None:
    await owner_en.send("/settings")
    [empty] = await owner_en.press("Templates")
    assert "No templates yet" in empty.text
    await owner_en.press("Message")
    # Direction marks alone are no name: refused at once, not once the text is typed
    # (where every text would then be refused for the name, until /cancel).
    [blank] = await owner_en.send("\u202e\u200f")
    assert blank.text == "This cannot be empty. Please send it again."
    [asked] = await owner_en.send("Offer")
    assert "{client.name}" in asked.text
    [refused] = await owner_en.send("Dear {client.nmae}, {deal.amount}")
    assert "I don't know the placeholder {client.nmae}" in refused.text
    [saved] = await owner_en.send("Dear {client.name}, {deal.amount}")
    assert "Saved: «Offer»." in saved.text
    [one] = await owner_en.press("📝 Offer")
    assert "Placeholders: {client.name}, {deal.amount}" in one.text
    [ask] = await owner_en.press("Delete")
    assert "Delete the template «Offer»?" in ask.text
    [back] = await owner_en.press("No, back")
    assert "Placeholders" in back.text
    await owner_en.press("Delete")
    [gone] = await owner_en.press("Delete")
    assert owner_en.alert == "Deleted: «Offer»." and "No templates yet" in gone.text


async def test_a_docx_template_is_uploaded_and_bad_files_are_refused(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    [asked] = await owner_en.press("Document (.docx)")
    assert "Send the .docx file" in asked.text
    [not_docx] = await owner_en.send_document("offer.pdf", "application/pdf", data=b"%PDF-1.4")
    assert "This is not a Word .docx file" in not_docx.text
    broken = word_file(["Dear {cli", "ent.surname}"])
    [unknown] = await owner_en.send_document("offer.docx", data=broken)
    assert "I don't know the placeholder {client.surname}" in unknown.text
    [text] = await owner_en.send("just words")
    assert "Send the .docx as a file" in text.text
    assert await templates(app) == []
    good = word_file(["Offer for {cli", "ent.name}"], ["Total {deal.amount}"])
    [saved] = await owner_en.send_document("Kitchen offer.docx", data=good)
    assert "Saved: «Kitchen offer». Placeholders found: {client.name}, {deal.amount}." in (
        saved.text
    )
    assert "📄 Kitchen offer" in [label for label, _data, _url in saved.buttons]


async def test_a_manager_cannot_manage_templates(app: App, join: Joiner) -> None:
    template_id = await a_template(app, "Offer", "Dear {client.name}")
    manager = await join(777, language_code="en")
    for action in (TplAction.LIST, TplAction.ADD_TEXT, TplAction.ADD_DOC, TplAction.DELETE_YES):
        await manager.press_data(TplCb(action=action, template_id=template_id).pack())
        assert manager.alert == "You don't have access to this."
    assert len(await templates(app)) == 1


async def test_send_from_a_deal_names_what_is_missing_and_fills_it_now(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app)
    await a_template(app, "Offer", "Dear {client.name} ({client.company}): {deal.amount}")
    [card] = await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    [picked] = await owner_en.press("📨 Send", card)
    assert "Which template" in picked.text
    [missing] = await owner_en.press("📝 Offer")
    assert "«Offer» has no value for: {client.company}." in missing.text
    [asked] = await owner_en.press("Fill {client.company} now")
    assert asked.text == "Send the client's company."
    [ready] = await owner_en.send("Roga & Co")
    assert ready.text == f"Dear Ivan Petrov (Roga & Co): 150,000{RUB}"
    labels = [label for label, _data, _url in ready.buttons]
    assert "◀️ Deal" in labels and not any("email" in label for label in labels)
    [prepared] = await events(app, "template_prepared")
    assert prepared.deal_id == deal.id and prepared.data["missing"] == []
    [changed] = await events(app, "field_changed")  # the company, as a card edit writes
    assert changed.client_id == deal.client_id


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("Dear {client.name} ({client.company})", "Dear Ivan Petrov ()"),
        # Nothing but places, none with a value: an empty message, which Telegram refuses
        # ("Something went wrong" to the member), is not sent.
        (
            "{client.company}\n{client.phone}",
            "(Empty: this template has nothing but places, and none has a value here.)",
        ),
    ],
)
async def test_send_anyway_leaves_the_place_empty(
    app: App, owner_en: SimulatedUser, session: OfflineSession, body: str, shown: str
) -> None:
    deal = await a_deal(app)
    await a_template(app, "Offer", body)
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    await owner_en.press("📝 Offer")
    [ready] = await owner_en.press("Send anyway")
    assert ready.text == shown
    texts = [getattr(r, "text", None) for r in session.requests]
    assert [t for t in texts if isinstance(t, str) and not t.strip()] == []


async def test_a_wrong_value_for_the_field_is_asked_again(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app, company="Roga")
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.deals.set_amount(me, deal.id, 0)
    await a_template(app, "Bill", "Pay {deal.amount}, call {client.phone}")
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    [missing] = await owner_en.press("📝 Bill")
    assert "no value for: {client.phone}" in missing.text
    await owner_en.press("Fill {client.phone} now")
    [wrong] = await owner_en.send("call me maybe")
    assert "not a phone number" in wrong.text
    [ready] = await owner_en.send("+7 999 123-45-67")
    assert ready.text == f"Pay 0{RUB}, call +79991234567"


async def test_a_document_is_sent_as_a_file_from_the_client_card(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app, company="Roga & Co")
    await a_template(app, "Offer doc", docx=word_file(["For {client.name}, {client.company}"]))
    [card] = await owner_en.press_data(ClientCb(action="open", client_id=deal.client_id).pack())
    await owner_en.press("📨 Send", card)
    [document] = await owner_en.press("📄 Offer doc")
    assert document.method == "SendDocument"
    assert document.file == "Ivan Petrov 02.03.2026.docx"
    assert document.data is not None
    assert docx_fill.text_of(document.data) == "For Ivan Petrov, Roga & Co"
    [event] = await events(app, "template_prepared")
    assert event.client_id == deal.client_id and event.deal_id is None


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_document_pressed_twice_at_once_is_sent_once(
    app: App, user: UserFactory, language: str
) -> None:
    """Both presses are answered, the second "already sent"; the picking screen shown
    again (to send it once more on purpose) sends it again."""
    deal = await a_deal(app)
    await a_template(app, "Offer doc", docx=word_file(["For {client.name}"]))
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        await crm.members.set_language(member, language)
    owner = user(OWNER_ID, "Olga", language_code=language)
    card = ClientCb(action="open", client_id=deal.client_id).pack()
    [picked] = await owner.press_data(card)
    [picked] = await owner.press("📨", picked)
    await asyncio.gather(*(owner.press("📄 Offer doc", picked) for _ in range(2)))
    documents = [m for m in owner.chat_messages() if m.method == "SendDocument"]
    assert len(documents) == 1
    assert owner.alerts() == [{"en": "Already sent.", "ru": "Уже отправлено."}[language]]
    assert len(await events(app, "template_prepared")) == 1

    [card_again] = await owner.press_data(card, picked)
    await owner.press("📨", card_again)
    await owner.press("📄 Offer doc", card_again)
    assert len([m for m in owner.chat_messages() if m.method == "SendDocument"]) == 2


async def test_placeholders_typed_with_spaces_inside_are_filled(
    app: App, owner_en: SimulatedUser
) -> None:
    """``{ client.name }`` as people type it: kept as a placeholder in a .docx and in a
    message, filled on sending; an unknown one with spaces is still refused by name."""
    deal = await a_deal(app, company="Roga & Co")
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Document (.docx)")
    [unknown] = await owner_en.send_document("a.docx", data=word_file(["Dear { client.nmae }"]))
    assert "I don't know the placeholder {client.nmae}" in unknown.text
    spaced = word_file(["For { client", ".name }, {client.company }"])
    [saved] = await owner_en.send_document("Offer doc.docx", data=spaced)
    assert "Placeholders found: {client.name}, {client.company}." in saved.text
    await owner_en.press("Message")
    await owner_en.send("Hello")
    [refused] = await owner_en.send("Dear { client.nmae }")
    assert "I don't know the placeholder {client.nmae}" in refused.text
    [text_saved] = await owner_en.send("Dear { client.name }, {deal.title }")
    assert "Saved: «Hello»." in text_saved.text
    [card] = await owner_en.press_data(ClientCb(action="open", client_id=deal.client_id).pack())
    await owner_en.press("📨 Send", card)
    [document] = await owner_en.press("📄 Offer doc")
    assert document.data is not None
    assert docx_fill.text_of(document.data) == "For Ivan Petrov, Roga & Co"
    [deal_card] = await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send", deal_card)
    [message] = await owner_en.press("📝 Hello")
    assert "Dear Ivan Petrov, Kitchen" in message.text


async def test_no_templates_yet_says_who_adds_them(app: App, owner_en: SimulatedUser) -> None:
    deal = await a_deal(app)
    await owner_en.press_data(ClientCb(action="open", client_id=deal.client_id).pack())
    [empty] = await owner_en.press("📨 Send")
    assert "the owner adds them in /settings → Templates" in empty.text


async def test_a_forged_send_on_a_hidden_client_is_refused(app: App, join: Joiner) -> None:
    deal = await a_deal(app)
    template_id = await a_template(app, "Offer", "Dear {client.name}")
    manager = await join(777, language_code="en")
    for data in (
        TplCb(action=TplAction.PICK, client_id=deal.client_id),
        TplCb(action=TplAction.CHOOSE, template_id=template_id, deal_id=deal.id),
        TplCb(action=TplAction.READY, template_id=template_id, client_id=deal.client_id),
    ):
        await manager.press_data(data.pack())
        assert manager.alert is not None
        assert "Dear" not in manager.last_message().text
    assert await events(app, "template_prepared") == []


@pytest.mark.parametrize("app", ["smtp"], indirect=True)
async def test_send_by_email_delivers_and_a_failure_reaches_the_member(
    app: App, owner_en: SimulatedUser, inbox: tuple[Inbox, int]
) -> None:
    received, _port = inbox
    deal = await a_deal(app, company="Roga & Co")
    await a_template(app, "Offer", "Dear {client.name}, {deal.amount}")
    await a_template(app, "Offer doc", docx=word_file(["For {client.name}"]))
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    await owner_en.press("📝 Offer")
    [sent] = await owner_en.press("Send by email")
    assert sent.text == "📧 «Offer» sent to ivan@example.com."
    [letter] = received.messages
    assert letter["To"] == "ivan@example.com" and "Dear Ivan Petrov" in str(letter.get_payload())

    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    [document] = await owner_en.press("📄 Offer doc")
    await owner_en.press("Send by email", document)
    names = [part.get_filename() for part in received.messages[1].walk() if part.get_filename()]
    assert names == ["Ivan Petrov 02.03.2026.docx"]

    assert await owner_en.press("Send by email", document) == []  # the same button, later
    assert owner_en.alert == "Already sent."
    assert len(received.messages) == 2

    await owner_en.press("◀️ Deal", document)
    await owner_en.press("📨 Send")
    [fresh] = await owner_en.press("📄 Offer doc")  # a new document, to send on purpose
    received.refuse = True
    await owner_en.press("Send by email", fresh)
    assert owner_en.alert is not None
    assert "The email was not sent" in owner_en.alert and "mailbox unavailable" in owner_en.alert
    received.refuse = False
    await owner_en.press("Send by email", fresh)  # a failed send can be pressed again
    assert len(received.messages) == 3
    assert len(await events(app, "template_emailed")) == 3


@pytest.mark.parametrize("app", ["smtp"], indirect=True)
async def test_a_template_filled_empty_is_not_emailed(
    app: App, owner_en: SimulatedUser, inbox: tuple[Inbox, int]
) -> None:
    """Nothing but places, none with a value: the screen says it is empty and offers no
    letter, and the email button of an earlier screen sends none either."""
    received, _port = inbox
    deal = await a_deal(app)
    template_id = await a_template(app, "Offer", "{client.company}\n{client.phone}")
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    await owner_en.press("📝 Offer")
    [ready] = await owner_en.press("Send anyway")
    assert ready.text.startswith("(Empty:")
    assert not any("email" in label for label, _data, _url in ready.buttons)
    email = TplCb(action=TplAction.EMAIL, template_id=template_id, client_id=0, deal_id=deal.id)
    await owner_en.press_data(email.pack())
    assert owner_en.alert is not None and "nothing to send" in owner_en.alert
    assert received.messages == []
    assert await events(app, "template_emailed") == []


async def test_custom_fields_are_placeholders_and_filled_before_sending(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        inn = await crm.fields.define(me, CardKind.CLIENT, "INN", FieldType.TEXT)
        ends = await crm.fields.define(me, CardKind.DEAL, "Contract end", FieldType.DATE)
    deal = await a_deal(app)
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Message")
    [asked] = await owner_en.send("Contract")
    assert f"{{custom.{inn.id}}} — INN" in asked.text
    await owner_en.send(f"INN {{custom.{inn.id}}}, until {{custom.{ends.id}}}")

    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    [missing] = await owner_en.press("📝 Contract")
    assert f"{{custom.{inn.id}}} (INN), {{custom.{ends.id}}} (Contract end)" in missing.text
    [asked] = await owner_en.press("Fill INN now")
    assert asked.text == "Send the value of «INN»."
    [next_one] = await owner_en.send("7701")
    assert "Fill Contract end now" in next(label for label, _d, _u in next_one.buttons)
    await owner_en.press("Fill Contract end now")
    [refused] = await owner_en.send("someday")
    assert "Contract end" in refused.text
    [ready] = await owner_en.send("31.12.2026")
    assert ready.text == "INN 7701, until 31.12.2026"


async def prepared_by_a_rule(
    app: App, owner: SimulatedUser, rule: str, template_id: int, deal: Deal
) -> SentMessage:
    """The notice of a rule that prepares the template when the deal enters "Proposal"."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        stages = {s.code: s.id for s in await crm.pipelines.stages()}
        await crm.automation.add(
            me,
            rule,
            "deal_entered_stage",
            {"stage_id": stages["proposal"]},
            [{"type": "prepare_template", "template_id": template_id}],
        )
        await crm.deals.move(me, deal.id, stages["proposal"])
    await app.ticker.tick()
    # The day's summary may go out in the same tick: the notice is found by what it says.
    [notice] = [m for m in owner.chat_messages() if f"«{rule}»" in m.text]
    return notice


async def test_a_rule_prepares_a_document_for_the_responsible(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app, company="Roga & Co")
    template_id = await a_template(app, "Offer doc", docx=word_file(["For {client.name}"]))
    notice = await prepared_by_a_rule(app, owner_en, "Offer ready", template_id, deal)
    assert "«Offer ready»: prepared «Offer doc»" in notice.text
    assert "Client's phone" not in notice.text  # the client has none
    [document] = await owner_en.press("Get the document", notice)
    assert document.file == "Ivan Petrov 02.03.2026.docx"
    assert document.data is not None and docx_fill.text_of(document.data) == "For Ivan Petrov"


async def test_a_value_for_a_template_deleted_meanwhile_ends_the_question(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app)
    template_id = await a_template(app, "Offer", "Dear {client.name} ({client.company})")
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    await owner_en.press("📝 Offer")
    await owner_en.press("Fill {client.company} now")
    async with app.crm.open() as crm:  # deleted from another device meanwhile
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.templates.delete(me, template_id)
    [refused] = await owner_en.send("Roga & Co")
    assert refused.text == "This template no longer exists."
    answers = await owner_en.send("Roga & Co")  # no longer the answer to that question
    assert all(a.text != "This template no longer exists." for a in answers)


async def test_a_rule_prepares_a_message_with_the_cards_custom_fields(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await a_deal(app)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        inn = await crm.fields.define(me, CardKind.CLIENT, "INN", FieldType.TEXT)
        ends = await crm.fields.define(me, CardKind.DEAL, "Contract end", FieldType.DATE)
        await crm.field_values.set(me, CardRef(CardKind.CLIENT, deal.client_id), inn.id, "7701")
        await crm.field_values.set(me, CardRef(CardKind.DEAL, deal.id), ends.id, "31.12.2026")
    body = f"INN {{custom.{inn.id}}}, until {{custom.{ends.id}}}"
    template_id = await a_template(app, "Contract", body)
    notice = await prepared_by_a_rule(app, owner_en, "Contract ready", template_id, deal)
    assert "INN 7701, until 31.12.2026" in notice.text
    assert "No value for" not in notice.text


async def test_a_field_that_cannot_be_filled_from_here_is_not_offered(
    app: App, owner_en: SimulatedUser
) -> None:
    """Sent from the client's card, a template naming a deal's field (which deal?) and a field
    deleted since it was written offers no "Fill … now" that could only be refused; the
    client's own field still is, and "Send anyway" leaves the rest empty."""
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        inn = await crm.fields.define(me, CardKind.CLIENT, "INN", FieldType.TEXT)
        ends = await crm.fields.define(me, CardKind.DEAL, "Contract end", FieldType.DATE)
        gone = await crm.fields.define(me, CardKind.CLIENT, "Old code", FieldType.TEXT)
    deal = await a_deal(app)
    body = f"INN {{custom.{inn.id}}}, until {{custom.{ends.id}}}, code {{custom.{gone.id}}}"
    await a_template(app, "Contract", body)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        await crm.fields.delete(me, gone.id)

    await owner_en.press_data(ClientCb(action="open", client_id=deal.client_id).pack())
    await owner_en.press("📨 Send")
    [missing] = await owner_en.press("📝 Contract")
    assert "Fill INN now" in missing.buttons[0][0]
    await owner_en.press("Fill INN now")
    [rest] = await owner_en.send("7701")
    assert f"no value for: {{custom.{ends.id}}} (Contract end), {{custom.{gone.id}}}." in rest.text
    assert "fill them on the card first" in rest.text
    assert not any("Fill" in label for label, _d, _u in rest.buttons)
    [ready] = await owner_en.press("Send anyway", rest)
    assert ready.text == "INN 7701, until , code "

    # From the deal's card its own field is the deal's to fill.
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    [missing] = await owner_en.press("📝 Contract")
    assert "Fill Contract end now" in missing.buttons[0][0]


async def test_a_filled_message_longer_than_telegram_takes_comes_whole_in_parts(
    app: App, owner_en: SimulatedUser
) -> None:
    """A template with the client's long "Terms" field filled in grows past one message: it
    comes whole, in as many messages as it needs (it used to be cut at 4000 characters with an
    "…", and the offer copied from it was short of its end), the buttons under the last; the
    rule's notice of it stays one message, whose "Fill it again" gives it whole."""
    terms = " ".join(f"Clause {n}: delivery within 🚚 {n} days." for n in range(90))
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        field = await crm.fields.define(me, CardKind.CLIENT, "Terms", FieldType.LONG_TEXT)
    deal = await a_deal(app)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        ref = CardRef(CardKind.CLIENT, deal.client_id)
        await crm.field_values.set(me, ref, field.id, terms[:3000])
    intro = "Dear {client.name}, our offer for {deal.title}. " * 30
    body = f"{intro}\nTerms:\n{{custom.{field.id}}}\nEnd of the offer."
    template_id = await a_template(app, "Offer", body)

    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send")
    first, *rest = await owner_en.press("📝 Offer")
    parts = [first, *rest]
    assert len(parts) == 2
    assert all(len(p.text.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    whole = "\n".join(p.text for p in parts)
    assert whole.startswith("Dear Ivan Petrov, our offer for Kitchen.")
    assert terms[:3000] in whole.replace("\n", " ") and whole.endswith("End of the offer.")
    assert first.buttons == [] and "◀️ Deal" in [label for label, _d, _u in rest[-1].buttons]

    notice = await prepared_by_a_rule(app, owner_en, "Offer ready", template_id, deal)
    assert len(notice.text.encode("utf-16-le")) // 2 <= 4096
    assert notice.text.startswith("🤖 «Offer ready»: prepared «Offer»\nDear Ivan Petrov")
    assert "…" in notice.text and "Fill it again" in notice.buttons[0][0]


async def test_a_placeholder_in_double_braces_is_refused_saying_how_to_write_it(
    app: App, owner_en: SimulatedUser
) -> None:
    """{{client.name}}, as other CRMs write it, was saved and sent as "Dear {Ivan Petrov}"
    in every offer (a .docx refused it, as a broken placeholder); now a message template, a
    document and a rule's text are refused naming the single-brace form."""
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Message")
    await owner_en.send("Offer")
    [refused] = await owner_en.send("Dear {{client.name}}, for {{ deal.amount }}")
    assert (
        refused.text == "Write a placeholder in single braces: {client.name}, not {{client.name}}."
    )
    [saved] = await owner_en.send("Dear {client.name}, for {deal.amount}")
    assert "Saved: «Offer»." in saved.text

    await owner_en.press("Document (.docx)")
    [refused] = await owner_en.send_document(
        "offer.docx", data=word_file(["For {{ client.name }}"])
    )
    assert refused.text == (
        "Write a placeholder in single braces: {client.name}, not {{ client.name }}."
    )
    assert [t.name for t in await templates(app)] == ["Offer"]

    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        stages = {s.code: s.id for s in await crm.pipelines.stages()}
        with pytest.raises(InvalidInput) as rule_refused:
            await crm.automation.add(
                me,
                "Greet",
                "deal_entered_stage",
                {"stage_id": stages["proposal"]},
                [{"type": "notify", "to": "responsible", "text": "Call {{client.name}}"}],
            )
    assert rule_refused.value.code == "double_braces"


def letterhead(first_page: str, even_pages: str) -> bytes:
    """A .docx with a first page's header and even pages' footer of its own (a letterhead)."""
    document = Document()
    document.add_paragraph("Offer")
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = first_page
    section.even_page_footer.paragraphs[0].text = even_pages
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


async def test_a_first_pages_header_and_even_pages_footer_are_filled_too(
    app: App, owner_en: SimulatedUser
) -> None:
    """Only the usual header and footer were read: a placeholder in the first page's header
    came out as "{client.name}" in every document, and an unknown one there was let in."""
    await owner_en.send("/settings")
    await owner_en.press("Templates")
    await owner_en.press("Document (.docx)")
    bad = letterhead("For {client.name}", "Page of {client.nmae}")
    [refused] = await owner_en.send_document("Letter.docx", data=bad)
    assert "I don't know the placeholder {client.nmae}" in refused.text
    good = letterhead("For {client.name}", "Deal {deal.title}")
    [saved] = await owner_en.send_document("Letter.docx", data=good)
    assert "Placeholders found: {client.name}, {deal.title}." in saved.text

    data = await sent_from_a_deal(app, owner_en, "📄 Letter")
    section = Document(io.BytesIO(data)).sections[0]
    assert section.first_page_header.paragraphs[0].text == "For Ivan Petrov"
    assert section.even_page_footer.paragraphs[0].text == "Deal Kitchen"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "VIP: yes; budget 150,000.50\u00a0₽; qty 2.5; since 01.03.2026; deal 150,000\u00a0₽",
        ),
        (
            "ru",
            "VIP: да; budget 150\u00a0000,50\u00a0₽; qty 2,5; since 01.03.2026; "
            "deal 150\u00a0000\u00a0₽",
        ),
    ],
)
async def test_custom_values_fill_a_template_as_the_reader_reads_them(
    app: App, owner_en: SimulatedUser, language: str, said: str
) -> None:
    """A yes/no, money and number field filled "да" and "150000.50" in any language; they are
    now written as {deal.amount} is: the reader's words, the team's currency, its marks."""
    deal = await a_deal(app)
    async with app.crm.open() as crm:
        me = await crm.members.get_active(OWNER_ID)
        assert me is not None
        vip = await crm.fields.define(me, CardKind.CLIENT, "VIP", FieldType.YES_NO)
        budget = await crm.fields.define(me, CardKind.CLIENT, "Budget", FieldType.MONEY)
        qty = await crm.fields.define(me, CardKind.DEAL, "Qty", FieldType.NUMBER)
        since = await crm.fields.define(me, CardKind.CLIENT, "Since", FieldType.DATE)
        client = CardRef(CardKind.CLIENT, deal.client_id)
        await crm.field_values.set(me, client, vip.id, "yes")
        await crm.field_values.set(me, client, budget.id, "150000.50")
        await crm.field_values.set(me, CardRef(CardKind.DEAL, deal.id), qty.id, "2.5")
        await crm.field_values.set(me, client, since.id, "01.03.2026")
        await crm.members.set_language(me, language)
    body = (
        f"VIP: {{custom.{vip.id}}}; budget {{custom.{budget.id}}}; qty {{custom.{qty.id}}}; "
        f"since {{custom.{since.id}}}; deal {{deal.amount}}"
    )
    await a_template(app, "Offer", body)
    await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner_en.press("📨 Send" if language == "en" else "📨 Отправить")
    [ready] = await owner_en.press("📝 Offer")
    assert ready.text == said
