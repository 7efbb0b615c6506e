"""Import, export and backup as a member does them: files sent as documents, buttons pressed."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import xlsxwriter
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText

from bot.app import App
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from crm.imports.reading import read_table
from handlers.imports.callbacks import ImportAction, ImportCb
from storage.engine import create_engine
from storage.models import Client
from storage.restore import restore, table_counts
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, UserFactory

CSV = "\r\n".join(
    [
        "ФИО;Тел.;Почта;Откуда;Сумма;Этап",
        "Иван Петров;8 916 123-45-67;ivan@mail.ru;Москва;150 000;КП",
        "Анна Смирнова;9161112233;;Казань;;",
        "Мария;89035556677;;Тула;;",
        "Олег;звонить вечером;;;;",
    ]
).encode("cp1251")


async def finished(app: App) -> None:
    tasks = list(app.dispatcher["background"])
    await asyncio.gather(*tasks)


async def create_all(app: App, owner: SimulatedUser, created: int, search: str) -> Client:
    """ "Create anyway" pressed on the preview: the count of cards made told, and the one
    card the search finds."""
    await owner.press("Всё равно создать")
    await finished(app)
    assert f"Создано: {created}" in owner.chat_messages()[-1].text
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        [found] = await crm.client_queries.search(member, search)
    return found


async def sent_and_created(
    app: App, owner: SimulatedUser, lines: list[str], rows: int, search: str
) -> tuple[str, Client]:
    """A CSV of these lines (cp1251, Windows line ends) sent, previewed and created: the
    mapping screen's text, and the one card the search finds."""
    [screen] = await owner.send_document("база.csv", data="\r\n".join(lines).encode("cp1251"))
    mapping = screen.text  # the message is edited into the preview
    [preview] = await owner.press("Предпросмотр")
    assert f"Строк: {rows}" in preview.text
    return mapping, await create_all(app, owner, rows, search)


def sales_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Продажи")
    sheet.merge_range(0, 0, 0, 1, "Клиент")
    sheet.write_row(1, 0, ["ФИО", "Телефон", "Дата обращения"])
    sheet.write_row(2, 0, ["Сидоров Пётр", 79161234567])
    sheet.write_number(2, 2, 45296)
    sheet.write_row(3, 0, ["\u00a0Елена\u00a0К.", "7.9035556677E+10", "05.01.2024"])
    book.close()
    return buffer.getvalue()


async def test_csv_import_with_a_changed_column_then_undo(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Мария К.", phones=("+79035556677",))
    [screen] = await owner_en.send_document("база.csv", data=CSV)
    assert "Import from база.csv" in screen.text
    assert "4. Откуда → Source" in screen.text
    await owner_en.press("4. Откуда")
    [screen] = await owner_en.press("City")
    assert "4. Откуда → City" in screen.text

    [preview] = await owner_en.press("Preview")
    assert "Rows: 4" in preview.text
    assert "New clients: 2" in preview.text
    assert "Already in the base (by ID, phone or e-mail): 1" in preview.text
    assert "Rows that cannot be read: 1" in preview.text
    assert "Иван Петров" in preview.text

    await owner_en.press("Skip them")
    await finished(app)
    result = owner_en.chat_messages()[-2]
    assert "Import of база.csv finished" in result.text
    assert "Created: 2" in result.text and "Skipped: 1" in result.text
    rejected = owner_en.last_message()
    assert rejected.file is not None and rejected.data is not None
    table = read_table(rejected.data)
    assert table.headers[-1] == "Reason"
    assert table.rows[0][0] == "Олег" and "not a phone number" in str(table.rows[0][-1])

    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        [ivan] = await crm.client_queries.search(owner, "Иван Петров")
        assert ivan.city == "Москва"

    [listing] = await owner_en.send("/imports")
    assert "база.csv" in listing.text
    await owner_en.press("Undo #")
    [done] = await owner_en.press("Yes, undo")
    assert "Import undone: 2 cards removed" in done.text


async def test_xlsx_with_excel_damage_and_create_anyway(app: App, owner_en: SimulatedUser) -> None:
    await make_client(app, OWNER_ID, "Елена", phones=("+79035556677",))
    [screen] = await owner_en.send_document("sales.xlsx", data=sales_xlsx())
    assert "1. ФИО → Name" in screen.text and "3. Дата обращения → Date" in screen.text
    await owner_en.press("Preview")
    await owner_en.press("Create anyway")
    await finished(app)
    assert "Created: 2" in owner_en.last_message().text
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        [petr] = await crm.client_queries.search(owner, "Сидоров")
        moscow = petr.created_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Moscow"))
        assert moscow.isoformat() == "2024-01-05T00:00:00+03:00"  # the day on the owner's clock
        assert len(await crm.client_queries.search(owner, "903 555")) == 2


async def test_a_forged_duplicate_policy_is_a_stale_button_and_the_import_goes_on(
    app: App, owner_en: SimulatedUser
) -> None:
    await make_client(app, OWNER_ID, "Елена", phones=("+79035556677",))
    await owner_en.send_document("sales.xlsx", data=sales_xlsx())
    [preview] = await owner_en.press("Preview")
    for forged in ("update", "", "Skip"):
        data = ImportCb(action=ImportAction.RUN, value=forged).pack()
        assert await owner_en.press_data(data, preview) == [], forged
        assert owner_en.alert == "This button is no longer active.", forged
    await owner_en.press("Create anyway", preview)  # the dialog is still there
    await finished(app)
    assert "Created: 2" in owner_en.last_message().text


async def test_bad_files_get_a_clear_answer(owner_en: SimulatedUser) -> None:
    [answer] = await owner_en.send_document("photo.xlsx", data=b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "not a spreadsheet" in answer.text
    [answer] = await owner_en.send_document("empty.csv", data=b"\r\n\r\n")
    assert "no rows" in answer.text
    [answer] = await owner_en.send_document("big.csv", data=b" " * (20 * 2**20 + 1))
    assert "larger than 20 MB" in answer.text  # the limit is said, not "None"
    [answer] = await owner_en.send_document("x.csv", data=b"City;Note\nMoscow;x\n")
    assert "Import from x.csv" in answer.text
    assert await owner_en.press("Preview") == []
    assert "no column with names" in (owner_en.alert or "")


async def test_stray_nuls_and_a_header_far_down_import_whole(
    app: App, owner: SimulatedUser
) -> None:
    """A stray NUL (PostgreSQL refuses it in text: the import stopped half-way) and a
    header under more empty rows than the header scan ('the sheet is empty')."""
    rows = ["ФИО;Телефон", "Ив\x00ан;89161234567"] + [f"К{i};8916000{i:04}" for i in range(300)]
    data = "\n".join([*rows, "Пё\x00тр;89035556677", ""]).encode()
    [screen] = await owner.send_document("база.csv", data=data)
    assert "Импорт из база.csv" in screen.text
    await owner.press("Предпросмотр")
    await owner.press("Всё равно создать")
    await finished(app)
    assert "Создано: 302" in owner.chat_messages()[-1].text
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet().write_row(15, 0, ["ФИО", "Телефон"])
    book.worksheets()[0].write_row(16, 0, ["Анна", "89161112233"])
    book.close()
    [screen] = await owner.send_document("ниже.xlsx", data=buffer.getvalue())
    assert "1. ФИО → Имя" in screen.text
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        assert [c.name for c in await crm.client_queries.search(member, "Пётр")] == ["Пётр"]
        assert [c.name for c in await crm.client_queries.search(member, "Иван")] == ["Иван"]


async def test_one_client_under_a_merged_header_is_not_an_empty_sheet(
    owner: SimulatedUser,
) -> None:
    """'ФИО' merged over three columns and one client's name parts under it: the row was
    taken for a second header row, and the file answered as empty. Then the name was its
    first part alone ('Петров'), the other two columns skipped: now they are its parts."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 2, "ФИО")
    sheet.write_row(1, 0, ["Петров", "Иван", "Иванович"])
    book.close()
    [screen] = await owner.send_document("один.xlsx", data=buffer.getvalue())
    assert "1. ФИО → Фамилия\n2. ФИО → Имя\n3. ФИО → Отчество" in screen.text
    [preview] = await owner.press("Предпросмотр")
    assert "Строк: 1" in preview.text and "• Петров Иван Иванович" in preview.text


async def test_a_wide_file_with_a_huge_title_tells_every_column_that_goes_somewhere(
    owner: SimulatedUser,
) -> None:
    """500 columns, the phone in the 35th, a title of 30,000 characters: the phone's column
    had no line (imported unseen), and the screens were past Telegram's 4096 characters."""
    titles = ["ФИО", "Я" * 30_000] + [f"Кол{i}" for i in range(2, 500)]
    titles[34] = "Телефон"
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, titles)
    sheet.write_row(1, 0, ["Иван", "x", *(["y"] * 32), "89161234567"])
    book.close()
    [screen] = await owner.send_document("широкий.xlsx", data=buffer.getvalue())
    assert len(screen.text) <= 4096
    assert "35. Телефон → Телефон" in screen.text
    assert "только первые 30 из 500 столбцов" in screen.text
    [targets] = await owner.press("2. ЯЯЯ")
    assert len(targets.text) <= 4096
    await owner.press("« Назад")
    [preview] = await owner.press("Предпросмотр")
    assert "• Иван +79161234567" in preview.text


async def test_export_and_backup_read_back(
    app: App, owner_en: SimulatedUser, user: UserFactory, tmp_path: Path
) -> None:
    await make_client(app, OWNER_ID, "Иван Петров", phones=("+79161234567",), city="Тула")
    await owner_en.send("/export")
    [sent] = await owner_en.press("Clients · XLSX")
    assert sent.data is not None and (sent.file or "").endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(sent.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("ID", "Name", "Phones")
    assert rows[1][1:3] == ("Иван Петров", "+79161234567")

    [backup] = await owner_en.send("/backup")
    assert backup.data is not None and (backup.file or "").endswith(".zip")
    target = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}")
    try:
        manifest = await restore(target, io.BytesIO(backup.data))
        assert (await table_counts(target))["clients"] == manifest.counts()["clients"] == 1
    finally:
        await target.dispose()
    stranger_manager = user(555, "Someone", language_code="en")
    answers = await stranger_manager.send("/backup")
    assert all(not a.data for a in answers)
    # Sent back to restore it: told where a backup is restored, not to open a card.
    [answer] = await owner_en.send_document(backup.file or "", data=backup.data)
    assert "python -m bot restore FILE on the server" in answer.text


async def test_a_spreadsheet_sent_in_another_dialog_is_answered_and_the_dialog_goes_on(
    app: App, owner_en: SimulatedUser
) -> None:
    from handlers.clients.callbacks import CardAction, ClientCb

    client = await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.press_data(ClientCb(action=CardAction.COMMENT, client_id=client.id).pack())
    assert "Write the comment for Anna Lee." in owner_en.last_message().text
    [told] = await owner_en.send_document("база.csv", data=CSV)
    assert told.text == (
        "You are in the middle of something else. Finish it or /cancel it first, "
        "then send the file again to import it."
    )
    # The comment dialog is as it was: the next text is its answer.
    [ack] = await owner_en.send("Called, all fine")
    assert ack.text == "Comment added to Anna Lee."
    # With no dialog open, the same file is imported.
    [screen] = await owner_en.send_document("база.csv", data=CSV)
    assert "Import from база.csv" in screen.text
    # A second file while choosing columns replaces the first, as before.
    [screen] = await owner_en.send_document("другая.csv", data=CSV)
    assert "Import from другая.csv" in screen.text


async def test_an_import_whose_message_was_deleted_runs_on_and_says_how_it_went(
    app: App, owner_en: SimulatedUser, session: OfflineSession
) -> None:
    """The member deletes the message the import reports in: the progress is not shown,
    the import goes on, and its outcome comes as a new message."""
    rows = "\r\n".join(f"Клиент {n};+7916{n:07d}" for n in range(250))
    await owner_en.send_document("many.csv", data=f"Имя;Телефон\r\n{rows}\r\n".encode())
    await owner_en.press("Preview")
    gone = TelegramBadRequest(EditMessageText(text="…"), "Bad Request: message to edit not found")
    for _edit in ("Importing…", "the progress after the first chunk", "the outcome"):
        session.answer_next(gone, EditMessageText)
    await owner_en.press("Skip them")
    await finished(app)
    result = owner_en.last_message()
    assert "Import of many.csv finished" in result.text and "Created: 250" in result.text
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        assert len(await crm.client_queries.search(owner, "Клиент 249")) == 1


async def test_skip_them_skips_clients_in_the_base_and_folds_repeats_in_the_file(
    app: App, owner_en: SimulatedUser
) -> None:
    """The skip answers "What to do with clients already in the base?": Мария, known by
    her phone, is left as she is, while Иван's second row (his e-mail again, another phone)
    still brings that phone to the one card the file makes for him."""
    await make_client(app, OWNER_ID, "Мария К.", phones=("+79035556677",))
    data = "\r\n".join(
        [
            "ФИО;Телефон;Почта;Комментарий",
            "Иван Петров;8 916 123-45-67;ivan@mail.ru;",
            "Мария;89035556677;maria@ya.ru;",
            "Иван Петров;8 926 000-11-22;ivan@mail.ru;Рабочий телефон",
            "Мария К.;89035556677;maria2@ya.ru;",
        ]
    ).encode()
    await owner_en.send_document("база.csv", data=data)
    [preview] = await owner_en.press("Preview")
    assert "What to do with clients already in the base?" in preview.text
    assert "Already in the base (by ID, phone or e-mail): 2" in preview.text
    assert "Repeated inside the file: 1" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    result = owner_en.last_message().text
    assert "Import of база.csv finished" in result
    assert "Created: 1" in result and "Updated: 0" in result
    # Мария's second row went nowhere, as her first did; Иван's went into his card.
    assert "Skipped: 2" in result and "Repeated inside the file, merged: 1" in result

    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        [ivan] = await crm.client_queries.search(owner, "Иван Петров")
        card = await crm.client_queries.card(owner, ivan.id)
        assert card.contacts.phones == ["+79161234567", "+79260001122"]
        assert card.contacts.emails == ["ivan@mail.ru"]
        assert "Рабочий телефон" in [e.text for e in card.events]
        [maria] = await crm.client_queries.search(owner, "Мария")
        card = await crm.client_queries.card(owner, maria.id)
        assert (card.contacts.phones, card.contacts.emails) == (["+79035556677"], [])


async def test_a_quote_left_open_is_told_with_its_line_and_a_closed_one_imports(
    app: App, owner: SimulatedUser
) -> None:
    """A quote opened and never closed made the rest of the file one cell: Анна and Олег
    were imported as Иван's company. A quoted note with a line break in it, closed, is one
    note, and every row after it is imported."""
    lines = ["ФИО;Телефон;Компания", 'Иван;89161234567;"ООО Ромашка', "Анна;89035556677;"]
    broken = "\r\n".join([*lines, "Олег;89031112233;", ""]).encode("cp1251")
    [answer] = await owner.send_document("база.csv", data=broken)
    assert "незакрытая кавычка" in answer.text and "в строке 2," in answer.text
    assert answer.buttons == []  # nothing to go on with: no import was begun
    lines[1] = 'Иван;89161234567;"ООО Ромашка\r\n(головной офис)"'
    screen, ivan = await sent_and_created(app, owner, lines, 2, "Иван")
    assert "3. Компания → Компания" in screen
    assert ivan.company == "ООО Ромашка (головной офис)"


async def test_formulas_without_results_are_told_on_the_mapping_screen(
    app: App, owner: SimulatedUser, owner_en: SimulatedUser
) -> None:
    """A workbook an openpyxl script wrote: its sums are formulas with no results, and they
    came in as empty amounts with nothing said."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ФИО", "Телефон", "Сумма сделки"])
    sheet.append(["Иван", "89161234567", "=1000*2"])
    sheet.append(["Анна", "89035556677", "=C2+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    [screen] = await owner_en.send_document("сделки.xlsx", data=buffer.getvalue())
    assert "3. Сумма сделки → Deal amount" in screen.text
    assert (
        "⚠️ 2 cells hold formulas whose results the file does not have (it was saved by a "
        "program that does not compute formulas): «Сумма сделки», rows 2–3. They are read as "
        "empty or 0. To import the values, open the file in Excel or LibreOffice, save it "
        "and send it again."
    ) in screen.text
    await owner_en.press("1. ФИО")
    [back] = await owner_en.press("Back")
    assert "«Сумма сделки», rows 2–3" in back.text  # the warning stays with the screen
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        await crm.members.set_language(member, "ru")
    [screen] = await owner.send_document("сделки.xlsx", data=buffer.getvalue())
    assert "Ячеек с формулами без результатов: 2" in screen.text
    assert "(«Сумма сделки», строки 2–3)" in screen.text


async def test_a_title_above_the_header_and_a_name_merged_over_its_parts(
    app: App, owner: SimulatedUser
) -> None:
    """A title merged over the table above the header, 'ФИО' merged over the surname,
    first name and patronymic: the header was taken for a client under the title, and
    then the name was its surname alone."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 3, "Клиенты отдела продаж на 01.05.2024")
    sheet.merge_range(1, 0, 1, 2, "ФИО")
    sheet.write(1, 3, "Телефон 2")
    sheet.write_row(2, 0, ["Петров", "Иван", "Иванович", "89161234567"])
    sheet.write_row(3, 0, ["Смирнова", "Анна", None, "89035556677"])
    book.close()
    [screen] = await owner.send_document("отдел.xlsx", data=buffer.getvalue())
    parts = "1. ФИО → Фамилия\n2. ФИО → Имя\n3. ФИО → Отчество\n4. Телефон 2 → Телефон"
    assert parts in screen.text
    assert "«Клиенты отдела продаж на 01.05.2024» над названиями колонок" in screen.text
    await owner.press("📄")
    [again] = await owner.press("👤")  # what the file holds chosen again: clients
    assert parts in again.text
    [preview] = await owner.press("Предпросмотр")
    assert "Строк: 2" in preview.text and "• Петров Иван Иванович" in preview.text
    anna = await create_all(app, owner, 2, "Смирнова")
    assert anna.name == "Смирнова Анна"


async def test_the_import_question_names_columns_in_the_members_language(
    app: App, owner_en: SimulatedUser, user: UserFactory
) -> None:
    """The English question named the columns in Russian ("ФИО, Телефон, …, Организация")."""
    [reply] = await owner_en.send("/import")
    assert "(Name, Phone, E-mail, Company…)" in reply.text, reply.text
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        await crm.members.set_language(member, "ru")
    [reply] = await user(OWNER_ID, language_code="ru").send("/import")
    assert "(ФИО, Телефон, E-mail, Организация…)" in reply.text, reply.text
