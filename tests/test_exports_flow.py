"""The "⬇️ Export" button of every list, as members press it: the file holds what the list
shows and only what the member sees; custom fields are columns and links are names; each
export is logged and the owner's daily summary lists the day's exports."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.clock import ManualClock
from crm.exports.files import Format
from crm.imports.csv_text import sniff
from crm.parsing.fields import FieldType
from handlers.imports.callbacks import ExportCb, ExportWhat
from storage.models import ExportLog
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MANAGER = 7301


def table_of(sent_data: bytes | None) -> list[list[object]]:
    assert sent_data is not None
    if sent_data.startswith(b"PK"):
        sheet = openpyxl.load_workbook(io.BytesIO(sent_data)).active
        assert sheet is not None
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    assert sent_data.startswith(b"\xef\xbb\xbf")  # so that Excel reads it as UTF-8
    text = sent_data.decode("utf-8-sig")
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=sniff(text)[0])]


async def export_from(person: SimulatedUser, list_message_fmt: str) -> list[list[object]]:
    """Press the newest list's "⬇️ Export", then the format; returns the file read back."""
    [choice] = await person.press("⬇️ Export")
    assert "Which format?" in choice.text
    assert choice.buttons[-1][0] == "◀️ Back to the list"  # one arrow, as every way back has
    [sent] = await person.press(list_message_fmt, choice)
    assert sent.method == "SendDocument"
    rows = table_of(sent.data)
    assert sent.text in (f"Rows: {len(rows) - 1}.", f"Строк: {len(rows) - 1}."), sent.text
    return rows


async def test_the_clients_list_exports_what_it_shows_and_a_manager_only_theirs(
    app: App, owner_en: SimulatedUser, join: Joiner, clock: ManualClock
) -> None:
    mark = await join(MANAGER, "manager", "Mark", language_code="en")
    await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",), city="Тула")
    await make_client(app, OWNER_ID, "Анна Смирнова", city="Москва")
    await make_client(app, MANAGER, "Свой клиент", city="Тула")

    await owner_en.send("/clients")
    await owner_en.press("Filters")
    await owner_en.press("City")
    [screen] = await owner_en.press("Тула")
    assert "Filters: city Тула" in screen.text
    rows = await export_from(owner_en, "CSV")
    assert rows[0][:3] == ["ID", "Name", "Phones"]
    assert sorted(str(r[1]) for r in rows[1:]) == ["Иван Петров", "Свой клиент"]
    [back] = await owner_en.press("Back to the list")
    assert "Filters: city Тула" in back.text  # the same list, its filters kept

    await mark.send("/clients")
    rows = await export_from(mark, "Excel")
    assert [r[1] for r in rows[1:]] == ["Свой клиент"]

    # A button of a list that is no longer remembered exports nothing rather than too much.
    forged = ExportCb(what=ExportWhat.CLIENTS, from_list=True, fmt=Format.CSV)
    answers = await mark.press_data(forged.pack())
    assert all(a.method != "SendDocument" for a in answers)
    assert "This list is out of date" in (mark.alert or "")

    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        ivan = (await crm.client_queries.search(owner, "Иван"))[0]
        await crm.deals.create(owner, ivan.id, 5_000_00, "Поставка льда")
        await crm.tasks.create(owner, "Позвонить Ивану", clock.now() + timedelta(days=1))
    await mark.send("/deals")
    rows = await export_from(mark, "CSV")
    assert rows[1:] == []  # the owner's client's deal is not Mark's to see
    await owner_en.send("/deals")
    await owner_en.press("Only mine")
    rows = await export_from(owner_en, "Excel")
    assert [(r[1], r[2], r[4]) for r in rows[1:]] == [("Поставка льда", "Иван Петров", 5000)]
    await mark.send("/tasks")
    rows = await export_from(mark, "CSV")
    assert rows[1:] == []
    await owner_en.send("/tasks")
    rows = await export_from(owner_en, "CSV")
    assert [r[1] for r in rows[1:]] == ["Позвонить Ивану"]

    async with app.crm.open() as crm:
        log = list(await crm.imports._session.scalars(select(ExportLog).order_by(ExportLog.id)))
    assert [(e.actor_id, e.what, e.file_format, e.rows) for e in log] == [
        (OWNER_ID, "clients", "csv", 2),
        (MANAGER, "clients", "xlsx", 1),
        (MANAGER, "deals", "csv", 0),
        (OWNER_ID, "deals", "xlsx", 1),
        (MANAGER, "tasks", "csv", 0),
        (OWNER_ID, "tasks", "csv", 1),
    ]
    assert log[0].filters == {"city": "Тула"} and log[3].filters == {"mine": True}

    # The next morning the owner's summary lists them; a manager's morning list does not.
    clock.set(datetime(2026, 3, 3, 6, 0, tzinfo=UTC))  # 09:00 Moscow
    await app.ticker.tick()
    # The same drain may tell the owner other things (Mark's joining), in either order.
    [summary] = [m.text for m in owner_en.chat_messages() if m.text.startswith("Summary for")]
    assert summary.startswith("Summary for 02.03.2026")
    assert "Exports" in summary
    assert "• Olga Owner: clients (filtered) (csv), rows: 2" in summary
    assert "• Mark: clients (xlsx), rows: 1" in summary
    assert "• Mark: deals (csv), rows: 0" in summary
    assert not any("Exports" in m.text for m in mark.chat_messages())


async def test_custom_fields_are_columns_and_links_are_names(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    mark = await join(MANAGER, "manager", "Mark", language_code="en")
    ivan = await make_client(app, OWNER_ID, "Иван Петров")
    hidden = await make_client(app, OWNER_ID, "Чужой клиент")
    own = await make_client(app, MANAGER, "Свой клиент")
    async with app.crm.open() as crm:
        owner = await member(app, OWNER_ID)
        budget = await crm.fields.define(owner, CardKind.CLIENT, "Бюджет", FieldType.MONEY)
        since = await crm.fields.define(owner, CardKind.CLIENT, "С нами с", FieldType.DATE)
        size = await crm.fields.define(
            owner, CardKind.CLIENT, "Размер", FieldType.CHOICE, options=["малый", "крупный"]
        )
        ivan_ref = CardRef(CardKind.CLIENT, ivan.id)
        await crm.field_values.set(owner, ivan_ref, budget.id, "150 000")
        await crm.field_values.set(owner, ivan_ref, since.id, "01.02.2026")
        await crm.field_values.set(owner, ivan_ref, size.id, "крупный")
        suppliers = await crm.record_types.create(owner, "Поставщик", "Поставщики", "🏭")
        inn = await crm.fields.define(
            owner, CardKind.RECORD, "ИНН", FieldType.TEXT, record_type_id=suppliers.id
        )
        ice = await crm.records.create(owner, suppliers.id, "ЛедЗавод", {inn.id: "7701234567"})
        steam = await crm.records.create(owner, suppliers.id, "ПарСервис")
        ice_ref = CardRef(CardKind.RECORD, ice.id)
        await crm.links.link(owner, ivan_ref, ice_ref)
        await crm.links.link(owner, CardRef(CardKind.RECORD, steam.id), ivan_ref)
        await crm.links.link(owner, ice_ref, CardRef(CardKind.CLIENT, hidden.id))
        await crm.links.link(owner, ice_ref, CardRef(CardKind.CLIENT, own.id))
        await crm.records.set_manager(owner, ice.id, MANAGER)
        deal = await crm.deals.create(owner, ivan.id, 9_900_00, "Лёд на лето")
        contract = await crm.fields.define(owner, CardKind.DEAL, "Договор", FieldType.TEXT)
        deal_ref = CardRef(CardKind.DEAL, deal.id)
        await crm.field_values.set(owner, deal_ref, contract.id, "Д-17")
        await crm.links.link(owner, deal_ref, ice_ref)

    await owner_en.send("/clients")
    rows = await export_from(owner_en, "Excel")
    header = rows[0]
    assert header[13:] == ["Archived on", "Бюджет", "С нами с", "Размер", "Поставщики"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["Иван Петров"][14:] == [
        150_000,
        datetime(2026, 2, 1),
        "крупный",
        "ЛедЗавод, ПарСервис",
    ]
    assert by_name["Свой клиент"][14:] == [None, None, None, "ЛедЗавод"]

    await owner_en.send("/deals")
    rows = await export_from(owner_en, "Excel")
    assert rows[0][11:] == ["Договор", "Поставщики"]
    assert rows[1][1] == "Лёд на лето" and rows[1][4] == 9900
    assert rows[1][11:] == ["Д-17", "ЛедЗавод"]

    await owner_en.send("/records")
    await owner_en.press("Поставщики")
    rows = await export_from(owner_en, "CSV")
    fixed = ["ID", "Title", "Responsible", "Created", "Last activity"]
    assert rows[0] == [*fixed, "ИНН", "Linked clients", "Linked deals"]
    ice_row = next(r for r in rows[1:] if r[1] == "ЛедЗавод")
    assert ice_row[5:] == ["7701234567", "Иван Петров, Свой клиент, Чужой клиент", "Лёд на лето"]

    # Mark is responsible for the supplier, but does not see the owner's clients linked to it,
    # nor the other supplier.
    await mark.send("/records")
    await mark.press("Поставщики")
    rows = await export_from(mark, "CSV")
    assert [r[1] for r in rows[1:]] == ["ЛедЗавод"]
    assert rows[1][2] == "Mark" and rows[1][5:] == ["7701234567", "Свой клиент", ""]

    # A forged press for a record type that does not exist exports nothing.
    forged = ExportCb(what=ExportWhat.RECORDS, type_id=999_999, fmt=Format.CSV)
    answers = await mark.press_data(forged.pack())
    assert all(a.method != "SendDocument" for a in answers)
    assert mark.alert is not None
    async with app.crm.open() as crm:
        log = list(await crm.imports._session.scalars(select(ExportLog).order_by(ExportLog.id)))
    assert [(e.what, e.filters.get("type_name")) for e in log][-1] == ("records", "Поставщики")


@pytest.mark.parametrize(
    ("language", "delimiter", "typed", "written"),
    [
        ("ru", ";", ("Скидка", "Бюджет", "С нами с"), ("7,5", "1500,50", "01.02.2026")),
        ("en", ",", ("Discount", "Budget", "Since"), ("7.5", "1500.50", "2026-02-01")),
    ],
)
async def test_a_csv_is_written_for_the_readers_excel_and_imports_back(
    app: App,
    owner: SimulatedUser,
    language: str,
    delimiter: str,
    typed: tuple[str, str, str],
    written: tuple[str, str, str],
) -> None:
    """The CSV was made for Russian Excel whatever the reader's language: ";" between fields
    and "7,5", which English Excel reads as one column and a text. An English reader's goes
    out with "," and "7.5" (and dates as 2026-02-01, which it reads as dates), a Russian
    reader's as before ("7.5" is the 7th of May to Russian Excel); either imports back into
    the fields it came from."""
    ivan = await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",))
    ref = CardRef(CardKind.CLIENT, ivan.id)
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.members.set_language(me, language)
        types = (FieldType.NUMBER, FieldType.MONEY, FieldType.DATE)
        fields = [
            await crm.fields.define(me, CardKind.CLIENT, name, type_)
            for name, type_ in zip(typed, types, strict=True)
        ]
        for field, value in zip(fields, ("7,5", "1500,50", "01.02.2026"), strict=True):
            await crm.field_values.set(me, ref, field.id, value)
    await owner.send("/clients")
    [choice] = await owner.press("⬇️ ")
    [sent] = await owner.press("CSV", choice)
    assert sent.data is not None
    header, row = sent.data.decode("utf-8-sig").splitlines()
    assert header.startswith(delimiter.join(["ID", "Name" if language == "en" else "Имя"]))
    assert delimiter.join(written) in row, row
    rows = table_of(sent.data)
    assert [cell for cell in rows[1] if cell in written] == list(written)

    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        for field in fields:
            await crm.field_values.clear(me, ref, field.id)
    [screen] = await owner.send_document("clients.csv", data=sent.data)
    for name in typed:
        assert f"→ 🧩 {name}" in screen.text, screen.text
    await owner.press("Preview" if language == "en" else "Предпросмотр")
    await owner.press("Fill in" if language == "en" else "Дополнить")
    await asyncio.gather(*list(app.dispatcher["background"]))
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        shown = await crm.field_values.of_card(me, ref)
    assert {v.field.name: v.value for v in shown} == dict(
        zip(typed, ("7.5", 150_050, "2026-02-01"), strict=True)
    )


async def test_task_priorities_are_in_the_readers_words(
    app: App, owner: SimulatedUser, clock: ManualClock
) -> None:
    """A Russian reader's task export said "high" and "normal", the codes the bot keeps."""
    async with app.crm.open() as crm:
        olga = await member(app, OWNER_ID)
        due = clock.now() + timedelta(days=1)
        await crm.tasks.create(olga, "Позвонить Ивану", due, priority="high")
        await crm.tasks.create(olga, "Отправить счёт", due)
    await owner.send("/tasks")
    [choice] = await owner.press("⬇️ Выгрузить")
    [sent] = await owner.press("CSV", choice)
    rows = table_of(sent.data)
    assert rows[0][3] == "Приоритет"
    assert sorted((str(r[1]), r[3]) for r in rows[1:]) == [
        ("Отправить счёт", "обычный"),
        ("Позвонить Ивану", "высокий"),
    ]
