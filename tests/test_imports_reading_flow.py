"""Files the import read wrong, sent as a member sends them: a CSV with a quote gone wrong
or a title above its header, an .ods with formulas saved without their results."""

from __future__ import annotations

import io
from datetime import UTC
from zoneinfo import ZoneInfo

import xlsxwriter

from bot.app import App
from bot.simulator import SimulatedUser
from crm.imports.reading import read_table
from tests.conftest import OWNER_ID
from tests.ods_files import Formula, ods
from tests.test_imports_flow import create_all, finished, sent_and_created

MOSCOW = ZoneInfo("Europe/Moscow")


async def test_a_stray_quote_taking_rows_in_is_told_with_its_lines(
    app: App, owner: SimulatedUser
) -> None:
    """A quote opening Анна's name, closed by chance by Олег's 27" screen: Анна, Пётр and
    Олег came in as one client whose name held all three rows."""
    lines = [
        "ФИО;Телефон;Город;Заметка",
        "Иван;89161234567;Тула;",
        '"Анна;89035556677;Казань;',
        "Пётр;89031112233;Омск;",
        'Олег;89032223344;Сочи;монитор 27"',
        "Лев;89033334455;Орёл;",
    ]
    data = "\r\n".join([*lines, ""]).encode("cp1251")
    [answer] = await owner.send_document("база.csv", data=data)
    assert "в начале ячейки в строке 3" in answer.text
    assert "закрывается только в строке 5" in answer.text
    assert answer.buttons == []  # no import was begun
    lines[2] = lines[2].removeprefix('"')
    screen, anna = await sent_and_created(app, owner, lines, 5, "Анна")
    assert "1. ФИО → Имя" in screen
    assert anna.name == "Анна"


async def test_a_title_line_above_the_header_is_passed_over_and_told(
    app: App, owner: SimulatedUser
) -> None:
    """'Клиенты 2026' on the first line, no delimiter in it: the file was read as one
    column whose header was the title, each client one 'Иван;89161234567;Тула' name."""
    lines = ["Клиенты 2026", "ФИО;Телефон;Город", "Иван;89161234567;Тула", "Анна;89035556677;"]
    data = "\r\n".join(lines).encode("cp1251")
    [screen] = await owner.send_document("база.csv", data=data)
    assert "1. ФИО → Имя\n2. Телефон → Телефон\n3. Город → Город" in screen.text
    assert "«Клиенты 2026» над названиями колонок принято за заголовок файла" in screen.text
    await owner.press("1. ФИО")
    [back] = await owner.press("Назад")
    assert "«Клиенты 2026» над названиями" in back.text  # the note stays with the screen
    [preview] = await owner.press("Предпросмотр")
    assert "Строк: 2" in preview.text
    ivan = await create_all(app, owner, 2, "Иван")
    assert (ivan.name, ivan.city) == ("Иван", "Тула")


async def test_formulas_an_ods_holds_without_results_are_told(owner_en: SimulatedUser) -> None:
    """An .ods a script wrote, its sums formulas with no results: they came in as empty
    amounts with nothing said, where the same file as .xlsx was warned about."""
    rows = [["ФИО", "Телефон", "Сумма сделки"], ["Иван", "89161234567", Formula("of:=1000*2")]]
    rows.append(["Анна", "89035556677", Formula("of:=[.C2]+1")])
    [screen] = await owner_en.send_document("сделки.ods", data=ods(("Клиенты", rows)))
    assert "3. Сумма сделки → Deal amount" in screen.text
    assert (
        "⚠️ 2 cells hold formulas whose results the file does not have (it was saved by a "
        "program that does not compute formulas): «Сумма сделки», rows 2–3."
    ) in screen.text


async def test_a_name_merged_over_four_columns_is_its_parts_and_the_rest_is_told(
    app: App, owner: SimulatedUser
) -> None:
    """'ФИО' merged over four columns (Мамедов, Рашид, Ахмед, оглы): over two or three
    the columns were the name's parts, over four the name was 'Мамедов' alone and the
    other three were skipped with nothing said."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 3, "ФИО")
    sheet.write(0, 4, "Телефон")
    sheet.write_row(1, 0, ["Мамедов", "Рашид", "Ахмед", "оглы", "89161234567"])
    sheet.write_row(2, 0, ["Смирнова", "Анна", None, None, "89035556677"])
    book.close()
    [screen] = await owner.send_document("база.xlsx", data=buffer.getvalue())
    parts = "1. ФИО → Фамилия\n2. ФИО → Имя\n3. ФИО → Отчество\n4. ФИО → — пропустить —"
    assert parts in screen.text
    told = "«ФИО» — одна ячейка над колонками 1–4: колонка 4 под ней никуда не идёт."
    assert told in screen.text
    await owner.press("4. ФИО")
    [screen] = await owner.press("Заметка")
    assert "4. ФИО → Заметка" in screen.text
    assert "одна ячейка над колонками" not in screen.text  # column 4 goes somewhere now
    [preview] = await owner.press("Предпросмотр")
    assert "Строк: 2" in preview.text and "• Мамедов Рашид Ахмед" in preview.text
    mamedov = await create_all(app, owner, 2, "Мамедов")
    assert mamedov.name == "Мамедов Рашид Ахмед"
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        [found] = await crm.client_queries.search(member, "Смирнова")
        assert found.name == "Смирнова Анна"


async def test_dates_written_with_the_months_name_import(app: App, owner: SimulatedUser) -> None:
    """Dates like «1 февраля 2025» or «Feb 1, 2025» rejected their rows as bad dates."""
    dates = [
        "1 февраля 2025",
        "1 фев 2025",
        "01 февраля 2025 г.",
        "1 February 2025",
        "Feb 1, 2025",
        "1 Feb 2025",
        "01.02.2025 г.",  # was rejected as not a date, as was «1.2.2025г»
        "1.2.2025г",
    ]
    lines = ["ФИО;Телефон;Дата обращения"]
    names = ["Анна", "Борис", "Вера", "Глеб", "Дарья", "Егор", "Илья", "Зоя"]
    rows = enumerate(zip(names, dates, strict=True))
    lines += [f"{name};8916123450{n};{day}" for n, (name, day) in rows]
    screen, anna = await sent_and_created(app, owner, lines, len(dates), "Анна")  # all made
    assert "3. Дата обращения → Дата" in screen
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        found = [(await crm.client_queries.search(member, name))[0] for name in names]
    days = {c.created_at.replace(tzinfo=UTC).astimezone(MOSCOW).isoformat() for c in found}
    assert days == {"2025-02-01T00:00:00+03:00"}  # the day on the owner's clock
    assert found[0].id == anna.id


async def test_a_moment_with_seconds_imports(app: App, owner: SimulatedUser) -> None:
    """amoCRM and Bitrix24 write «Дата создания» as «05.03.2026 14:30:15»: with the
    seconds, each such row was rejected as a bad date, and the file came in empty."""
    lines = [
        "Имя;Мобильный телефон;Дата создания",
        "Анна;89161234501;05.03.2026 14:30:15",
        "Борис;89161234502;05.03.2026 9:05:59",
    ]
    _screen, anna = await sent_and_created(app, owner, lines, 2, "Анна")  # both made
    moment = anna.created_at.replace(tzinfo=UTC).astimezone(MOSCOW)
    assert moment.isoformat() == "2026-03-05T14:30:00+03:00"  # on the owner's clock


async def test_a_web_page_named_xls_is_told_to_be_saved_as_xlsx(
    app: App, owner: SimulatedUser
) -> None:
    """Many programs' "Excel" exports are an HTML table or Excel 2003's XML named .xls.
    One with no <html> around it was read as a CSV: a mapping screen of one column named
    «<table border="1">» or «<?xml version="1.0"?>», going nowhere."""
    pages = [
        '<table border="1">\n<tr><td>ФИО</td><td>Телефон</td></tr>\n'
        "<tr><td>Иван</td><td>79161234567</td></tr>\n</table>",
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table>'
        '<Row><Cell><Data ss:Type="String">ФИО</Data></Cell></Row></Table></Worksheet></Workbook>',
    ]
    for page in pages:
        [answer] = await owner.send_document("клиенты.xls", data=page.encode())
        assert "сохраните как .xlsx" in answer.text
        assert answer.buttons == []  # no import was begun


async def test_a_file_with_no_header_keeps_its_first_client(app: App, owner: SimulatedUser) -> None:
    """A list with no row of column names: its first row, Иван's, was taken for the
    header, so every column went nowhere and, once the member chose them, Иван was not
    imported, nothing said. His row is a client's (a header holds no phone); the columns
    are proposed by what they hold."""
    lines = [
        "Иван Петров;8 916 123-45-67;ivan@mail.ru;Тула",
        "Анна Смирнова;89035556677;;Казань",
    ]
    screen, ivan = await sent_and_created(app, owner, lines, 2, "Иван Петров")
    assert "1. — → Имя\n2. — → Телефон\n3. — → E-mail\n4. — → — пропустить —" in screen
    assert "первая строка («Иван Петров; 8 916 123-45-67; ivan@mail.ru; Тула»)" in screen
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        [found] = await crm.client_queries.search(member, "+79161234567")
    assert found.id == ivan.id


async def test_a_phone_excel_cut_to_scientific_notation_is_refused_not_guessed(
    app: App, owner: SimulatedUser
) -> None:
    """Excel shows a long phone as «7.99912E+10» and saves that into a CSV, its last digits
    gone: read as +79991200000, two different customers became one card with a number
    neither has. Such a cell rejects its row, named; a cell with every digit still imports."""
    lines = [
        "ФИО;Телефон",
        "Анна;7.99912E+10",
        "Борис;7,99912E+10",
        "Вера;7.9161234567E+10",
    ]
    await owner.send_document("база.csv", data="\r\n".join(lines).encode("cp1251"))
    [preview] = await owner.press("Предпросмотр")
    assert "Строк: 3" in preview.text
    await owner.press("Всё равно создать")
    await finished(app)
    assert "Создано: 1" in owner.chat_messages()[-2].text
    rejected = owner.last_message()
    assert rejected.data is not None
    reasons = {str(row[0]): str(row[-1]) for row in read_table(rejected.data).rows}
    assert reasons.keys() == {"Анна", "Борис"}
    assert "7.99912E+10" in reasons["Анна"] and "7,99912E+10" in reasons["Борис"]
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        assert await crm.client_queries.search(member, "999 12") == []
        [vera] = await crm.client_queries.search(member, "916 123 45 67")
        assert vera.name == "Вера"


async def test_a_workbooks_second_sheet_with_rows_is_told_not_imported(
    app: App, owner: SimulatedUser
) -> None:
    """Only the first sheet with rows is read: Борис on «Лист2» was left out with nothing
    said, and the member took the import for the whole file. The mapping screen names the
    sheets not imported; an empty third sheet is not named."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in (("Лист1", [["ФИО"], ["Анна"]]), ("Лист2", [["ФИО"], ["Борис"]])):
        sheet = book.add_worksheet(name)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row)
    book.add_worksheet("Лист3")
    book.close()
    [screen] = await owner.send_document("база.xlsx", data=buffer.getvalue())
    assert "Импортируется только лист «Лист1»" in screen.text
    assert "(«Лист2»)" in screen.text and "Лист3" not in screen.text
    await owner.press("Предпросмотр")
    await create_all(app, owner, 1, "Анна")


async def test_a_number_column_beside_the_phone_is_not_taken_for_a_phone(
    app: App, owner: SimulatedUser
) -> None:
    """«Номер» (the row's number, 1, 2, 3…) beside «Телефон» was proposed as a second phone
    column, and the preview said nothing could be imported: every row a bad phone."""
    lines = ["Номер;ФИО;Телефон", "1;Анна;89161234501", "2;Борис;89161234502"]
    screen, _anna = await sent_and_created(app, owner, lines, 2, "Анна")  # both made
    assert "1. Номер → Телефон" not in screen and "3. Телефон → Телефон" in screen


async def test_a_dash_for_no_phone_or_e_mail_keeps_the_row(app: App, owner: SimulatedUser) -> None:
    """A «-» or «—» where a client has no phone or e-mail, as people fill a table, rejected
    the row as «not a phone number»: the client was left out. It is no contact now."""
    lines = [
        "ФИО;Телефон;E-mail",
        "Анна;-;-",
        "Борис;—;boris@mail.ru",
        "Вера;89161234503;–",
    ]
    await sent_and_created(app, owner, lines, 3, "Анна")  # all three made, nothing rejected
    assert "Отклонено: 0" in owner.chat_messages()[-1].text


async def test_an_e_mail_with_a_stop_or_in_quotes_imports(app: App, owner: SimulatedUser) -> None:
    """«anna@mail.ru.» or «"boris@mail.ru"» in a cell rejected the row as not an e-mail,
    though the same typed at /new is read."""
    lines = ["ФИО;E-mail", "Анна;anna@mail.ru.", 'Борис;"«boris@mail.ru»"']
    await sent_and_created(app, owner, lines, 2, "Анна")  # both made
    async with app.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        [boris] = await crm.client_queries.search(member, "boris@mail.ru")
        assert boris.name == "Борис"
