"""Templates through the CRM core: placeholders, message and .docx templates filled from a client
and a deal (the .docx read back), missing values reported first, bad uploads refused, and email
through a local SMTP server (aiosmtpd), including a refusal reaching the member."""

from __future__ import annotations

import email
import io
import socket
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from docx import Document
from sqlalchemy import select

from bot.app import App
from crm import docx_fill, placeholders
from crm.clients import ClientDraft
from crm.clock import ManualClock
from crm.errors import Conflict, InvalidInput
from crm.mailer import MailFailed
from crm.service import Crm
from storage.engine import create_session_factory
from storage.models import Client, Event, User
from tests.conftest import OWNER_ID, app_with

# --- placeholders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hello {client.name}!", ["client.name"]),
        ("{deal.title} for {deal.amount}, {deal.title}", ["deal.title", "deal.amount"]),
        ("{today}", ["today"]),
        ("no placeholders {", []),
        (
            "{ client.name }, {deal.title }, {\u00a0today\u00a0}",
            ["client.name", "deal.title", "today"],
        ),
        ("{\tclient.name  }", ["client.name"]),
        ("{\nclient.name}", []),  # a line break inside is no placeholder
        ("{ client. name }", []),
    ],
)
def test_placeholders_are_found(text: str, names: list[str]) -> None:
    assert placeholders.find(text) == names


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Hi {client.nam}", "client.nam"),
        ("{manager.email}", "manager.email"),
        ("{custom.inn}", "custom.inn"),
        ("Hi { client.nam }", "client.nam"),
        ("{manager.email }", "manager.email"),
    ],
)
def test_an_unknown_placeholder_is_named(text: str, unknown: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        placeholders.check(text)
    assert (refused.value.code, refused.value.params["name"]) == ("unknown_placeholder", unknown)


def test_custom_fields_pass_when_known_and_fill() -> None:
    assert placeholders.check("INN {custom.inn}", ["inn"]) == ["custom.inn"]
    values = {"custom.inn": "7701", "client.name": None}
    assert placeholders.fill("INN {custom.inn}, {client.name}.", values) == "INN 7701, ."
    assert placeholders.missing(["custom.inn", "client.name"], values) == ["client.name"]


def test_a_placeholder_with_spaces_inside_fills_as_without() -> None:
    values = {"client.name": "Ivan", "deal.title": "Kitchen"}
    text = "Dear { client.name }, {deal.title }: { deal.title}, {client.name}."
    assert placeholders.check(text) == ["client.name", "deal.title"]
    assert placeholders.fill(text, values) == "Dear Ivan, Kitchen: Kitchen, Ivan."
    with pytest.raises(InvalidInput) as refused:
        placeholders.check("Dear {{ client.name }}")
    assert refused.value.code == "double_braces"


# --- the record ---------------------------------------------------------------------------------


async def owner(crm: Crm) -> User:
    found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def record(app: App, name: str = "Ivan Petrov", company: str | None = "Roga & Co") -> int:
    """A client with an email and a deal of 150 000 ₽; returns the deal's id."""
    async with app.crm.open() as crm:
        me = await owner(crm)
        draft = ClientDraft(name=name, company=company, emails=("ivan@example.com",))
        client = await crm.clients.create(me, draft, force=True)
        assert isinstance(client, Client)
        deal = await crm.deals.create(me, client.id, 15_000_000, "Kitchen")
    return deal.id


async def events(app: App, kind: str) -> list[Event]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(Event).where(Event.kind == kind)))


OFFER = (
    "Hello, {client.name} ({client.company})! {deal.title}: {deal.amount}. {manager.name}, {today}"
)


async def test_a_message_template_fills_from_a_deal_and_is_recorded(app: App) -> None:
    deal_id = await record(app)
    async with app.crm.open() as crm:
        template = await crm.templates.add_text(await owner(crm), "Offer", OFFER)
        assert template.placeholders == placeholders.find(OFFER)
        filled = await crm.templates.prepare(await owner(crm), template.id, deal_id=deal_id)
    # The owner never wrote to the bot, so the team knows no name of theirs yet.
    assert (
        filled.text == "Hello, Ivan Petrov (Roga & Co)! Kitchen: 150\u00a0000\u00a0₽. , 02.03.2026"
    )
    assert filled.missing == ["manager.name"]
    [event] = await events(app, "template_prepared")
    assert event.deal_id == deal_id and event.data["template"] == "Offer"


async def test_missing_values_are_known_before_filling(app: App) -> None:
    deal_id = await record(app, company=None)
    async with app.crm.open() as crm:
        template = await crm.templates.add_text(await owner(crm), "Offer", OFFER)
        checked = await crm.templates.check(await owner(crm), template.id, deal_id=deal_id)
    assert checked.missing == ["client.company", "manager.name"]
    assert await events(app, "template_prepared") == []  # checking writes nothing


async def test_an_unknown_placeholder_is_refused_at_upload(app: App) -> None:
    async with app.crm.open() as crm:
        with pytest.raises(InvalidInput) as refused:
            await crm.templates.add_text(await owner(crm), "Bad", "Dear {client.fullname}")
        assert refused.value.params["name"] == "client.fullname"
        assert await crm.templates.all() == []


# --- .docx --------------------------------------------------------------------------------------


def word_file(*paragraphs: list[str], table: str | None = None, header: str | None = None) -> bytes:
    """A .docx whose paragraphs are made of the given runs (as Word splits them)."""
    document = Document()
    for runs in paragraphs:
        paragraph = document.add_paragraph()
        for n, text in enumerate(runs):
            run = paragraph.add_run(text)
            run.bold = n % 2 == 1  # different formatting: separate runs for sure
    if table is not None:
        document.add_table(rows=1, cols=1).cell(0, 0).text = table
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def test_a_placeholder_split_over_runs_is_joined() -> None:
    data = word_file(["Dear {cli", "ent.na", "me}, thank you"], ["Sum: {deal.amount}"])
    prepared = docx_fill.prepare(data)
    assert prepared.placeholders == ["client.name", "deal.amount"]
    filled = docx_fill.fill(prepared.document, {"client.name": "A & B <C>", "deal.amount": "5 ₽"})
    assert docx_fill.text_of(filled).splitlines() == ["Dear A & B <C>, thank you", "Sum: 5 ₽"]


def test_a_docx_placeholder_with_spaces_inside_is_filled() -> None:
    data = word_file(
        ["Dear { cli", "ent.name }, thank you"], ["Sum: {deal.amount }, {\u00a0client.name}"]
    )
    prepared = docx_fill.prepare(data)
    assert prepared.placeholders == ["client.name", "deal.amount"]
    filled = docx_fill.fill(prepared.document, {"client.name": "Ivan", "deal.amount": "5 ₽"})
    assert docx_fill.text_of(filled).splitlines() == ["Dear Ivan, thank you", "Sum: 5 ₽, Ivan"]


@pytest.mark.parametrize(
    ("runs", "code", "param"),
    [
        (["Dear {client.nmae}"], "unknown_placeholder", "client.nmae"),
        (["Dear {cli", "ent.surname}"], "unknown_placeholder", "client.surname"),
        (["Dear {client.name, welcome"], "broken_placeholder", "Dear {client.name, welcome"),
        (["Dear {{ client.name }}"], "double_braces", "{{ client.name }}"),
        (["Dear {{ client.name }"], "broken_placeholder", "Dear {{ client.name }"),
        (["Order {#12 for {client.name}"], "broken_placeholder", "Order {#12"),
        (["Dear { client.nmae }"], "unknown_placeholder", "client.nmae"),
        (["Dear { cli", "ent.surname  }"], "unknown_placeholder", "client.surname"),
        (["Dear { client.name, welcome"], "broken_placeholder", "Dear { client.name, welcome"),
        (["Dear {client.name welcome"], "broken_placeholder", "Dear {client.name welcome"),
        (["Dear {{client.name }}"], "double_braces", "{{client.name }}"),
    ],
)
def test_a_bad_docx_placeholder_says_what_to_fix(runs: list[str], code: str, param: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        docx_fill.prepare(word_file(runs))
    assert refused.value.code == code
    assert param in str(refused.value.params)


@pytest.mark.parametrize("data", [b"", b"just text", b"PK\x03\x04broken zip"])
def test_a_file_that_is_not_a_docx_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        docx_fill.prepare(data)
    assert refused.value.code == "not_docx"


def corrupt_docx() -> bytes:
    """A real .docx (a zip with Word's parts) whose document.xml is cut short."""
    source = zipfile.ZipFile(io.BytesIO(word_file(["Offer for {client.name}"])))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[:200] if item.filename == "word/document.xml" else data)
    return output.getvalue()


def test_a_docx_whose_xml_is_broken_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        docx_fill.prepare(corrupt_docx())
    assert refused.value.code == "not_docx"


def test_a_custom_field_fills_and_one_deleted_since_upload_fills_empty() -> None:
    prepared = docx_fill.prepare(word_file(["INN {custom.5}, KPP {custom.7}"]), ["5", "7"])
    filled = docx_fill.fill(prepared.document, {"custom.5": "7701", "client.name": "Ivan"})
    assert docx_fill.text_of(filled) == "INN 7701, KPP "  # field 7 deleted: no value
    without_fields = docx_fill.fill(prepared.document, {"client.name": "Ivan"})
    assert docx_fill.text_of(without_fields) == "INN , KPP "  # no custom field left at all


async def test_a_docx_template_fills_from_a_client_and_reads_back(app: App) -> None:
    deal_id = await record(app)
    data = word_file(
        ["Offer for {client", ".name}"],
        ["Deal {deal.title}: {deal.amount}"],
        table="Company: {client.company}",
        header="Date {today}",
    )
    async with app.crm.open() as crm:
        template = await crm.templates.add_docx(await owner(crm), "Offer doc", data, file_id="F1")
        filled = await crm.templates.prepare(await owner(crm), template.id, deal_id=deal_id)
    assert filled.document is not None and filled.text is None
    assert filled.file_name == "Ivan Petrov 02.03.2026.docx"
    document = Document(io.BytesIO(filled.document))
    body = [p.text for p in document.paragraphs]
    assert body[:2] == ["Offer for Ivan Petrov", "Deal Kitchen: 150\u00a0000\u00a0₽"]
    assert document.tables[0].cell(0, 0).text == "Company: Roga & Co"
    assert document.sections[0].header.paragraphs[0].text == "Date 02.03.2026"


# --- email ------------------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the local SMTP server received; ``refuse`` makes it refuse every recipient."""

    messages: list[Message] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
async def mail_app(
    database_url: str, clock: ManualClock, inbox: tuple[Inbox, int]
) -> AsyncIterator[App]:
    async with app_with(
        database_url,
        clock,
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_from="Sales <sales@example.com>",
        smtp_tls="none",
    ) as app:
        yield app


def attachments(message: Message) -> list[tuple[str | None, bytes]]:
    found = []
    for part in message.walk():
        if part.get_filename():
            payload: Any = part.get_payload(decode=True)
            found.append((part.get_filename(), payload))
    return found


async def test_send_by_email_delivers_the_message_and_the_document(
    mail_app: App, inbox: tuple[Inbox, int]
) -> None:
    received, _port = inbox
    deal_id = await record(mail_app)
    async with mail_app.crm.open() as crm:
        me = await owner(crm)
        text = await crm.templates.add_text(me, "Offer", "Dear {client.name}, {deal.amount}")
        doc = await crm.templates.add_docx(me, "Offer doc", word_file(["For {client.name}"]))
        to = await crm.templates.email(me, text.id, "", deal_id=deal_id)
        await crm.templates.email(me, doc.id, "Our offer is attached.", deal_id=deal_id)
    assert to == "ivan@example.com"
    first, second = received.messages
    assert first["To"] == "ivan@example.com" and first["Subject"] == "Offer"
    assert "Dear Ivan Petrov, 150" in first.get_payload(decode=False)
    [(name, data)] = attachments(second)
    assert name == "Ivan Petrov 02.03.2026.docx"
    assert docx_fill.text_of(data) == "For Ivan Petrov"
    sent = await events(mail_app, "template_emailed")
    assert [e.data["to"] for e in sent] == ["ivan@example.com"] * 2


async def test_an_smtp_refusal_reaches_the_member(mail_app: App, inbox: tuple[Inbox, int]) -> None:
    received, _port = inbox
    received.refuse = True
    deal_id = await record(mail_app)
    async with mail_app.crm.open() as crm:
        me = await owner(crm)
        template = await crm.templates.add_text(me, "Offer", "Dear {client.name}")
        with pytest.raises(MailFailed) as failed:
            await crm.templates.email(me, template.id, "", deal_id=deal_id)
    assert failed.value.code == "mail_failed"
    assert "mailbox unavailable" in failed.value.params["reason"]
    assert await events(mail_app, "template_emailed") == []


async def test_a_dead_smtp_server_reaches_the_member(database_url: str, clock: ManualClock) -> None:
    async with app_with(
        database_url,
        clock,
        smtp_host="127.0.0.1",
        smtp_port=9,
        smtp_from="a@example.com",
        smtp_tls="none",
    ) as app:
        deal_id = await record(app)
        async with app.crm.open() as crm:
            me = await owner(crm)
            template = await crm.templates.add_text(me, "Offer", "Dear {client.name}")
            with pytest.raises(MailFailed):
                await crm.templates.email(me, template.id, "", deal_id=deal_id)


async def test_email_is_off_by_default(app: App) -> None:
    deal_id = await record(app)
    async with app.crm.open() as crm:
        me = await owner(crm)
        template = await crm.templates.add_text(me, "Offer", "Dear {client.name}")
        with pytest.raises(Conflict) as off:
            await crm.templates.email(me, template.id, "", deal_id=deal_id)
    assert off.value.code == "mail_off"


async def test_a_phone_filled_for_a_template_is_read_in_the_teams_country(
    database_url: str, clock: ManualClock
) -> None:
    """Without its country code, the number is one of the team's country, as everywhere."""
    async with app_with(database_url, clock, default_phone_region="BY") as app:
        deal_id = await record(app)
        async with app.crm.open() as crm:
            me = await owner(crm)
            client_id = (await crm.deals.visible(me, deal_id)).client_id
            await crm.template_fields.fill(
                me, "client.phone", "8 029 123-45-67", client_id=client_id, deal_id=deal_id
            )
            assert (await crm.clients.contacts(client_id)).phones == ["+375291234567"]
