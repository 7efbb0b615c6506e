"""0034: a .docx template uploaded before its footnotes and endnotes were read (2752c5e).

Such a template kept its notes as the owner wrote them: "{client.name}" in a footnote was
sent as written, and "{%" in an endnote (now filled as Jinja) failed every send. After
the migration it is sent with the placeholder filled and the braces as written; a template
uploaded since, and one whose notes cannot be read, are left byte for byte. Run on SQLite
and, when TEST_POSTGRES_URL is set, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.simulator import SimulatedUser
from crm import docx_fill
from crm.clock import ManualClock
from handlers.deals.callbacks import DealCb
from storage.engine import create_session_factory
from storage.migrate import upgrade
from storage.models import Template
from tests.conftest import OWNER_ID, app_with
from tests.test_templates_flow import a_deal
from tests.test_templates_notes import noted_file

FIELD = (
    "INSERT INTO field_defs (id, kind, name, type, required, position, options, created_at)"
    " VALUES (7, 'client', 'Size', 'text', FALSE, 0, '[]', '2026-01-01')"
)
INSERT = text(
    "INSERT INTO templates (id, name, kind, document, placeholders, created_at)"
    " VALUES (:id, :name, 'docx', :document, :placeholders, :created_at)"
)


def stored_before() -> bytes:
    """A template as an upload before 2752c5e stored it: the footer's placeholder a tag,
    the notes as written (a placeholder split over runs, Jinja's braces as text)."""
    footnote = ["Per {client", ".name}, {custom.7}{custom.8}"]
    return noted_file("By {{ deal.title }}", footnote, ["Sum {{ 7*7 }} {% if x %}{#"])


async def stored_at_0033(engine: AsyncEngine, rows: list[tuple[int, str, bytes, str]]) -> None:
    """The database at 0033 with the client's custom field 7 and the templates ``rows``
    (id, name, file, placeholders as JSON)."""
    await upgrade(engine, "0033")
    async with engine.begin() as conn:
        await conn.execute(text(FIELD))
        for template_id, name, document, names in rows:
            await conn.execute(
                INSERT,
                {
                    "id": template_id,
                    "name": name,
                    "document": document,
                    "placeholders": names,
                    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
                },
            )


async def deal_opened(app: App) -> SimulatedUser:
    """The owner, in English, on a deal of Ivan Petrov's, "Kitchen"."""
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        await crm.members.set_language(member, "en")
    owner = SimulatedUser(app.dispatcher, app.bot, OWNER_ID, "Olga", language_code="en")
    deal = await a_deal(app)
    await owner.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner.press("📨 Send")
    return owner


async def test_a_template_stored_before_its_notes_were_read_is_sent_filled(
    empty_engine: AsyncEngine, clock: ManualClock
) -> None:
    since = docx_fill.prepare(noted_file("By {client.name}", ["Per {client.name}"], ["{ }"]))
    unreadable = noted_file("By me", ["a <b"], ["End"])
    await stored_at_0033(
        empty_engine,
        [
            (1, "Letter", stored_before(), '["deal.title"]'),
            (2, "Since", since.document, '["client.name"]'),
            (3, "Broken", unreadable, "[]"),
        ],
    )
    url = empty_engine.url.render_as_string(hide_password=False)
    async with app_with(url, clock) as app:  # starting migrates to the newest revision
        owner = await deal_opened(app)
        [asked] = await owner.press("📄 Letter")  # the footnote's custom field is read
        assert "«Letter» has no value for: {custom.7}" in asked.text
        [document] = await owner.press("Send anyway")
        assert document.data is not None
        data = document.data
        assert docx_fill.text_of(data).splitlines() == [
            "Offer",
            "",
            "By Kitchen",
            "",
            "",
            "Per Ivan Petrov, {custom.8}",  # field 7 is the client's, empty; 8 is no field
            "",
            "",
            "Sum {{ 7*7 }} {% if x %}{#",
        ]
        async with create_session_factory(app.engine)() as db:
            kept = {t.id: t for t in await db.scalars(select(Template))}
    assert kept[1].placeholders == ["deal.title", "client.name", "custom.7"]
    assert (kept[2].document, kept[2].placeholders) == (since.document, ["client.name"])
    assert (kept[3].document, kept[3].placeholders) == (unreadable, [])


NOTES = [
    # "{{client.name}}" (as other CRMs write one, Word splitting it over runs) was filled
    # before 0034, Jinja reading the footnotes: the migration escaped its outer braces, and
    # the letter said "Dear {Ivan Petrov}". Jinja's braces around no placeholder stay text.
    (
        ["Dear {{cli", "ent.name}", "}, {{ deal.title}} {{ 7*7 }}"],
        "Dear Ivan Petrov, Kitchen {{ 7*7 }}",
    ),
    # A tag as an upload writes one next to a placeholder in single braces: the paragraph
    # was taken for one an upload had made, and "{deal.title}" sent as written.
    (["Dear {{ client.name }}, {deal.title}"], "Dear Ivan Petrov, Kitchen"),
]


@pytest.mark.parametrize(("footnote", "sent"), NOTES)
async def test_a_footnotes_placeholders_are_filled_however_written(
    empty_engine: AsyncEngine, clock: ManualClock, footnote: list[str], sent: str
) -> None:
    await stored_at_0033(empty_engine, [(1, "Letter", noted_file("By me", footnote, []), "[]")])
    url = empty_engine.url.render_as_string(hide_password=False)
    async with app_with(url, clock) as app:
        owner = await deal_opened(app)
        [document] = await owner.press("📄 Letter")
        assert document.data is not None
        assert sent in docx_fill.text_of(document.data).splitlines()
        async with create_session_factory(app.engine)() as db:
            [kept] = await db.scalars(select(Template))
    assert kept.placeholders == ["client.name", "deal.title"]
