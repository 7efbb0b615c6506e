"""An import screen's buttons act only on the message showing the import dialog now: an
older file's screen, or one pressed while another dialog waits, changes nothing."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import openpyxl
from sqlalchemy import select

from bot.app import App
from bot.simulator import SimulatedUser
from storage.engine import create_session_factory
from storage.models import Deal
from tests.conftest import OWNER_ID
from tests.test_imports_flow import CSV

STALE = "This button is no longer active."
NAME_QUESTION = "What is the client's name?"
SOURCE_QUESTION = "Where did the client come from? Pick a source or type one."


async def test_an_old_import_cancel_keeps_the_dialog_waiting_now(owner_en: SimulatedUser) -> None:
    [screen] = await owner_en.send_document("база.csv", data=CSV)
    [asked] = await owner_en.send("/new")
    assert NAME_QUESTION in asked.text
    assert await owner_en.press("Cancel", screen) == []
    assert owner_en.alert == STALE
    [answer] = await owner_en.send("Иван Тестов")
    assert SOURCE_QUESTION in answer.text  # the new client's dialog went on


async def test_cancel_of_the_import_waiting_ends_it(owner_en: SimulatedUser) -> None:
    [screen] = await owner_en.send_document("база.csv", data=CSV)
    [done] = await owner_en.press("Cancel", screen)
    assert done.text == "Import cancelled. Nothing was stored."
    assert screen.buttons == []


async def test_an_older_files_screen_acts_on_nothing(owner_en: SimulatedUser) -> None:
    [old] = await owner_en.send_document("база.csv", data=CSV)
    [new] = await owner_en.send_document("b.csv", data=b"Name;Phone\nA;89161234567\n")
    for label in ("Preview ▶", "1. ФИО", "Cancel"):
        assert await owner_en.press(label, old) == []
        assert owner_en.alert == STALE
    [preview] = await owner_en.press("Preview ▶", new)  # the newer file's import goes on
    assert "b.csv" in preview.text and "Rows: 1" in preview.text
    [pressed] = await owner_en.press("« Columns", preview)
    assert await owner_en.press("Preview ▶", old) == []
    [preview] = await owner_en.press("Preview ▶", pressed)
    assert "b.csv" in preview.text


async def test_a_phone_written_as_float_text_is_read(owner_en: SimulatedUser) -> None:
    data = "ФИО,Телефон\r\nИванов,79161234567.0\r\nПетров,+79031112233.0\r\n".encode()
    await owner_en.send_document("f.csv", data=data)
    [preview] = await owner_en.press("Preview ▶")
    assert "Rows that cannot be read: 0" in preview.text
    assert "Иванов +79161234567" in preview.text and "Петров +79031112233" in preview.text


async def test_the_date_a_client_came_is_the_members_wall_time(
    app: App, owner_en: SimulatedUser
) -> None:
    """Read on the member's clock (Moscow), as the archive date is: exported back as it was."""
    lines = ["ФИО;Телефон;Дата обращения;Сделка", "Иван;89161234567;01.02.2025 23:30;Окна"]
    await owner_en.send_document("f.csv", data="\r\n".join(lines).encode())
    await owner_en.press("Preview ▶")
    await owner_en.press("Create anyway")
    await asyncio.gather(*list(app.dispatcher["background"]))
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        [ivan] = await crm.client_queries.search(member, "Иван")
    assert ivan.created_at.astimezone(UTC) == datetime(2025, 2, 1, 20, 30, tzinfo=UTC)
    await owner_en.send("/export")
    [sent] = await owner_en.press("Clients · XLSX")
    assert sent.data is not None
    sheet = openpyxl.load_workbook(io.BytesIO(sent.data)).active
    assert sheet is not None
    header, row = list(sheet.iter_rows(values_only=True))
    assert row[header.index("Created")] == datetime(2025, 2, 1, 23, 30)
    async with create_session_factory(app.engine)() as session:
        deal_at = await session.scalar(select(Deal.created_at))
    assert deal_at is not None and deal_at.replace(tzinfo=UTC) == datetime(
        2025, 2, 1, 20, 30, tzinfo=UTC
    )


async def test_a_file_no_row_of_which_can_be_read_offers_only_its_rejected_rows(
    owner_en: SimulatedUser,
) -> None:
    data = "ФИО;Телефон\r\nОлег;звонить вечером\r\nАнна;123\r\n".encode()
    await owner_en.send_document("f.csv", data=data)
    [preview] = await owner_en.press("Preview ▶")
    assert (
        "Nothing in this file can be imported: not one of its rows can be read (rows: 2)."
        in preview.text
    )
    assert "The first rows as they will be stored" not in preview.text
    labels = [text for text, _data, _url in preview.buttons]
    assert labels == ["Rejected rows, with why", "« Columns", "Cancel"]
    [sent] = await owner_en.press("Rejected rows, with why", preview)
    assert sent.data is not None and b"not a phone number" in sent.data
    assert "Олег".encode() in sent.data and "Анна".encode() in sent.data
    [done] = await owner_en.press("Cancel", preview)
    assert done.text == "Import cancelled. Nothing was stored."
