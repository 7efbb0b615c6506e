"""The file of rows an import rejected is written for the member's Excel, as an export is:
``,`` and a decimal dot for an English reader, ``;`` and a decimal comma for a Russian one;
fixed and sent back, it imports into the fields it came from."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime

import pytest
import xlsxwriter

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.parsing.fields import FieldType
from tests.client_helpers import member
from tests.conftest import OWNER_ID


def people_xlsx() -> bytes:
    """Ann, and Bob whose phone is not one: his score a fraction, his date a real date."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    moment = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, ["Name", "Phone", "Score", "Met"])
    for row, (name, phone, score, met) in enumerate(
        [
            ("Ann", "+79161234567", 7.5, datetime(2026, 2, 1)),
            ("Bob", "call me", 2.25, datetime(2026, 3, 5)),
        ],
        start=1,
    ):
        sheet.write_row(row, 0, [name, phone, score])
        sheet.write_datetime(row, 3, met, moment)
    book.close()
    return buffer.getvalue()


async def finished(app: App) -> None:
    await asyncio.gather(*list(app.dispatcher["background"]))


@pytest.mark.parametrize(
    ("language", "written", "words"),
    [
        ("en", "Bob,call me,2.25,2026-03-05,", ("Preview", "Create anyway")),
        ("ru", "Bob;call me;2,25;05.03.2026;", ("Предпросмотр", "Всё равно создать")),
    ],
)
async def test_the_rejected_rows_file_is_for_the_readers_excel_and_imports_back(
    app: App, owner: SimulatedUser, language: str, written: str, words: tuple[str, str]
) -> None:
    preview, create = words
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.members.set_language(me, language)
        for name, type_ in (("Score", FieldType.NUMBER), ("Met", FieldType.DATE)):
            await crm.fields.define(me, CardKind.CLIENT, name, type_)
    await owner.send_document("people.xlsx", data=people_xlsx())
    await owner.press(preview)
    await owner.press(create)
    await finished(app)
    rejected = owner.last_message()
    assert rejected.data is not None
    header, row = rejected.data.decode("utf-8-sig").splitlines()
    reason = "Reason" if language == "en" else "Причина"
    delimiter = written[len("Bob")]
    assert header == delimiter.join(["Name", "Phone", "Score", "Met", reason])
    assert row.startswith(written), row

    fixed = rejected.data.replace(b"call me", b"+79035556677")
    [screen] = await owner.send_document("rejected-people.csv", data=fixed)
    assert "→ 🧩 Score" in screen.text and "→ 🧩 Met" in screen.text, screen.text
    await owner.press(preview)
    await owner.press(create)
    await finished(app)
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        [bob] = await crm.client_queries.search(me, "9035556677")  # the phone fixed
        shown = await crm.field_values.of_card(me, CardRef(CardKind.CLIENT, bob.id))
    assert bob.name == "Bob"
    assert {v.field.name: v.value for v in shown} == {"Score": "2.25", "Met": "2026-03-05"}


async def test_a_phone_excel_would_work_out_goes_back_after_the_quote(
    app: App, owner_en: SimulatedUser
) -> None:
    """A row rejected for its e-mail went back in the file with its phone as it was sent,
    «+7-916-123-45-67», which Excel opens as the sum 7-916-123-45-67 (-1144): fixed and
    saved there, the row came back with its phone lost. It goes out after the quote, which
    the import takes off; a phone with no sign inside stays as it is."""
    lines = [
        "Name,Phone,E-mail",
        "Ann,+7-916-123-45-67,ann@",
        "Bob,+79035556677,bob@",
        "Cid,+79031112233,cid@example.com",
    ]
    await owner_en.send_document("people.csv", data="\r\n".join(lines).encode())
    await owner_en.press("Preview")
    await owner_en.press("Create anyway")
    await finished(app)
    rejected = owner_en.last_message()
    assert rejected.data is not None
    _header, ann, bob = rejected.data.decode("utf-8-sig").splitlines()
    assert ann.startswith("Ann,'+7-916-123-45-67,ann@,") and bob.startswith("Bob,+79035556677,")

    fixed = rejected.data.replace(b"ann@", b"ann@example.com").replace(b"bob@", b"b@example.com")
    await owner_en.send_document("rejected-people.csv", data=fixed)
    await owner_en.press("Preview")
    await owner_en.press("Create anyway")
    await finished(app)
    async with app.crm.open() as crm:
        [found] = await crm.client_queries.search(await member(app, OWNER_ID), "+79161234567")
    assert found.name == "Ann"
