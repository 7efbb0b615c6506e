"""Reading sent tables and repairing their cells: formats, encodings, headers, Excel's damage."""

from __future__ import annotations

import io
import tracemalloc
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from crm.errors import InvalidInput
from crm.imports.mapping import Target, change, check, guess, propose
from crm.imports.reading import MAX_BYTES, read_table
from crm.imports.rows import Rejected, RowDraft, build_row
from crm.parsing.cells import (
    DateError,
    cell_amount,
    cell_date,
    cell_emails,
    cell_phones,
    cell_text,
)


def xlsx(rows: list[list[Any]], *merges: tuple[int, int, int, int, str]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Клиенты")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value.replace(tzinfo=None), day)
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(r, c, value, None, 3)
            elif value is not None:
                sheet.write(r, c, value)
    for merge in merges:
        sheet.merge_range(*merge)
    book.close()
    return buffer.getvalue()


# --- cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "phones", "bad"),
    [
        ("8 916 123-45-67", ["+79161234567"], []),
        ("9161234567", ["+79161234567"], []),
        (79161234567.0, ["+79161234567"], []),
        (9161234567, ["+79161234567"], []),
        ("7.9161234567E+10", ["+79161234567"], []),
        ("7.99912E+10", [], ["7.99912E+10"]),  # Excel's display, its last digits gone
        ("-", [], []),  # no phone, as people fill a table
        (" — ", [], []),
        ("7,99912e10", [], ["7,99912e10"]),
        ("79161234567.0", ["+79161234567"], []),  # a number written out by pandas
        ("+79161234567.0", ["+79161234567"], []),
        ("89161234567,00", ["+79161234567"], []),
        ("9161234567.0", ["+79161234567"], []),
        ("+442071234567.0", ["+442071234567"], []),
        ("79161234567.5", [], ["79161234567.5"]),  # not a whole number: not a phone
        ("+7 (916) 123-45-67, 8\u00a0495\u00a0123-45-67", ["+79161234567", "+74951234567"], []),
        ("8-916-123-45-67 доб. 12", ["+79161234567"], []),
        ("89161234567; 89161234567", ["+79161234567"], []),
        ("звонить вечером", [], ["звонить вечером"]),
        ("123", [], ["123"]),
        (None, [], []),
    ],
)
def test_phone_cells(value: Any, phones: list[str], bad: list[str]) -> None:
    assert cell_phones(value, "RU") == (phones, bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05.01.2024", datetime(2024, 1, 5, tzinfo=UTC)),
        ("5.1.24", datetime(2024, 1, 5, tzinfo=UTC)),
        ("05.01.2024 14:30", datetime(2024, 1, 5, 14, 30, tzinfo=UTC)),
        ("2024-01-05", datetime(2024, 1, 5, tzinfo=UTC)),
        ("2024-01-05 14:30", datetime(2024, 1, 5, 14, 30, tzinfo=UTC)),
        ("2024-01-05T14:30:59", datetime(2024, 1, 5, 14, 30, tzinfo=UTC)),
        ("2024-01-05T14:30:59.123Z", datetime(2024, 1, 5, 14, 30, tzinfo=UTC)),
        ("2024-01-05T14:30:00+03:00", datetime(2024, 1, 5, 11, 30, tzinfo=UTC)),
        ("2024-01-05 23:30 -0500", datetime(2024, 1, 6, 4, 30, tzinfo=UTC)),
        (45296, datetime(2024, 1, 5, tzinfo=UTC)),
        (45296.5, datetime(2024, 1, 5, 12, tzinfo=UTC)),
        ("45296", datetime(2024, 1, 5, tzinfo=UTC)),
        ("45296,5", datetime(2024, 1, 5, 12, tzinfo=UTC)),
        (date(2024, 1, 5), datetime(2024, 1, 5, tzinfo=UTC)),
        (datetime(2024, 1, 5, 9), datetime(2024, 1, 5, 9, tzinfo=UTC)),
        (None, None),
    ],
)
def test_date_cells(value: Any, expected: datetime | None) -> None:
    assert cell_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        *("31.02.2024", "вчера", -5, True, "12.03", "2024", "1e5", 2024, 12.03, 100_000),
        *("01.01.0000", "2024-01-05 abc", "2024-01-05 14:30 junk", "2024-01-05T14"),
        *("2024-01-05T14:30+99:99", "2024-01-05T14:30+15:00"),
    ],
)
def test_bad_date_cells(value: Any) -> None:
    """'12.03' (no year) and '2024' (a year) are floats to Python, not Excel serials: they
    were read as 11 January 1900 and 1905; so were such numbers in a number cell. A year
    written "0000" was read as 2000."""
    with pytest.raises(DateError):
        cell_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Иван\u00a0 Петров\u200b ", "Иван Петров"),
        (12.0, "12"),
        (12.5, "12.5"),
        (0.00001, "0.00001"),  # a number cell, which str() writes "1e-05"
        (-1.5e-7, "-0.00000015"),
        (0.1, "0.1"),
        ("", None),
        ("\u00a0", None),
        (None, None),
    ],
)
def test_text_cells(value: Any, expected: str | None) -> None:
    assert cell_text(value) == expected


@pytest.mark.parametrize(
    ("value", "minor"),
    [(150000, 15_000_000), (1500.25, 150_025), ("150к", 15_000_000), ("1 500 000 ₽", 150_000_000)],
)
def test_amount_cells(value: Any, minor: int) -> None:
    assert cell_amount(value) == minor


def test_email_cells() -> None:
    assert cell_emails("Ivan@Mail.RU, mailto:b@x.org") == (["ivan@mail.ru", "b@x.org"], [])
    assert cell_emails("не знаю") == ([], ["не", "знаю"])


# --- headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Телефон", Target.PHONE),
        ("Тел.", Target.PHONE),
        ("Мобильный", Target.PHONE),
        ("Телефон 2", Target.PHONE),
        ("E-mail", Target.EMAIL),
        ("Почта", Target.EMAIL),
        ("ФИО", Target.NAME),
        ("Ф.И.О.", Target.NAME),
        ("Контактное лицо", Target.NAME),
        ("Организация", Target.COMPANY),
        ("Фамилия", Target.SURNAME),
        ("Имя", Target.FIRST_NAME),
        ("Отчество", Target.PATRONYMIC),
        ("Ответственный", Target.MANAGER),
        ("Комментарий", Target.NOTE),
        ("Дата обращения", Target.CAME_AT),
        ("Сумма сделки", Target.DEAL_AMOUNT),
        ("Этап", Target.DEAL_STAGE),
        ("Full name", Target.NAME),
        ("Phone number", Target.PHONE),
        ("Company", Target.COMPANY),
        ("ИНН", Target.SKIP),
        ("", Target.SKIP),
        # An e-mail's column went to the address (the first word), or nowhere.
        ("Адрес электронной почты", Target.EMAIL),  # Google Forms'
        ("Адрес эл. почты", Target.EMAIL),
        ("Адрес e-mail", Target.EMAIL),
        ("Рабочий e-mail", Target.EMAIL),  # Bitrix24's
        ("Work email", Target.EMAIL),
        ("E-mails", Target.EMAIL),  # our English export's
        ("Контактный телефон", Target.PHONE),
        ("Телефон1", Target.PHONE),
        ("Примечания", Target.NOTE),
        ("Адрес доставки", Target.ADDRESS),
        ("Договор номер", Target.SKIP),
        # "E-mail" is two words to the guess: its first ("e") decided, and went nowhere.
        ("E-mail (рабочий)", Target.EMAIL),
        ("E-mail для рассылок", Target.EMAIL),  # Bitrix24's
        ("E-mail 2", Target.EMAIL),
        ("Дата создания (МСК)", Target.SKIP),  # two words known, but not a repeatable one
        # About an e-mail or a phone, not the client's own: their "да"s rejected every row.
        ("Статус email", Target.SKIP),
        ("Подписка на email", Target.SKIP),
        ("Согласен на рассылку по email", Target.SKIP),
        ("Last email", Target.SKIP),
        ("Unsubscribed email", Target.SKIP),
        ("Email менеджера", Target.SKIP),
        ("Телефон менеджера", Target.SKIP),
        ("Manager phone", Target.SKIP),
        ("Номер заказа", Target.SKIP),
        ("Номер договора", Target.SKIP),
        ("Номер факса", Target.SKIP),
        ("Номер мобильного телефона", Target.PHONE),
        ("Адрес последней доставки", Target.ADDRESS),  # only a contact's guess is checked
    ],
)
def test_header_guess(header: str, target: Target) -> None:
    assert guess(header) == target


def test_propose_check_and_change() -> None:
    mapping = propose(["ФИО", "Клиент", "Телефон", "Мобильный", "ИНН"])
    assert mapping == ["name", "skip", "phone", "phone", "skip"]
    assert change(mapping, 4, "name") == ["skip", "skip", "phone", "phone", "name"]
    with pytest.raises(InvalidInput) as error:
        check(["skip", "city"])
    assert error.value.code == "import_no_columns"
    with pytest.raises(InvalidInput):
        change(mapping, 9, "city")


# --- files ------------------------------------------------------------------------------

HEADER = ["Фамилия", "Имя", "Отчество", "Тел.", "E-mail", "Дата", "Сумма"]
ROW = ["Петров", "Иван", "Сергеевич", "8 916 123-45-67", "ivan@mail.ru", "05.01.2024", "150 000"]


def csv_bytes(encoding: str, delimiter: str, bom: bool = False) -> bytes:
    lines = [delimiter.join(HEADER), delimiter.join(ROW), "", delimiter * 2]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [
        ("cp1251", ";", False),
        ("koi8_r", ";", False),
        ("utf-8", ",", False),
        ("utf-8", ";", True),
        ("utf-8", "\t", False),
        ("utf-16", "\t", False),
    ],
)
def test_csv_encodings_and_delimiters(encoding: str, delimiter: str, bom: bool) -> None:
    table = read_table(csv_bytes(encoding, delimiter, bom), "clients.csv")
    assert table.headers == HEADER
    assert table.rows == [ROW]
    assert table.numbers == [2]


def test_longer_cp1251_text_is_not_taken_for_koi8() -> None:
    rows = ["ФИО;Город;Комментарий"] + [
        f"Иванов Пётр {n};Москва;Звонить после обеда, просил счёт" for n in range(30)
    ]
    table = read_table("\n".join(rows).encode("cp1251"))
    assert table.headers == ["ФИО", "Город", "Комментарий"]
    assert table.rows[0][2] == "Звонить после обеда, просил счёт"


def test_short_cp1251_file_is_not_taken_for_mac_cyrillic() -> None:
    """Russian Excel saves CSV in cp1251; two clients are too little text to tell it by,
    and Mac Cyrillic made 'ФИО' into '‘»ќ'."""
    data = "ФИО;Телефон\nМаркелов Эдуард;89008622671\nБондарев Максим;89002957418\n"
    table = read_table(data.encode("cp1251"), "клиенты.csv")
    assert table.headers == ["ФИО", "Телефон"]
    assert [row[0] for row in table.rows] == ["Маркелов Эдуард", "Бондарев Максим"]


def test_one_column_file_keeps_commas_in_its_names() -> None:
    """A list of names alone, no delimiter in its header: 'Петров, Иван' is one name."""
    data = 'ФИО\nПетров, Иван\n"Сидоров, Пётр"\n'
    table = read_table(data.encode("cp1251"), "names.csv")
    assert table.headers == ["ФИО"]
    assert table.rows == [["Петров, Иван"], ["Сидоров, Пётр"]]


def test_xlsx_with_damage() -> None:
    data = xlsx(
        [
            [None, None, None, None],
            ["Контакт", None, "Сумма", "ФИО"],
            ["Телефон", "Почта", None, None],
            [79161234567, "a@b.ru", "=1+2", "Иван"],
            [None, None, None, None],
            [datetime(2024, 1, 5), None, None, "Пётр"],
            [None, None, None, None, None, " "],
        ],
        (1, 0, 1, 1, "Контакт"),
    )
    table = read_table(data, "sales.xlsx")
    assert table.headers == ["Телефон", "Почта", "Сумма", "ФИО"]
    assert table.rows == [
        [79161234567.0, "a@b.ru", 3.0, "Иван"],
        [date(2024, 1, 5), None, None, "Пётр"],
    ]
    assert table.numbers == [4, 6]
    assert table.sheet == "Клиенты"


def test_a_header_merged_over_two_phone_columns_keeps_the_first_client() -> None:
    """'Телефон' merged over two columns, the clients from row 2: that row is a client with
    a name under 'ФИО', not a second header row."""
    data = xlsx(
        [
            ["ФИО", None, None, "Город"],
            ["Иван Петров", "89001234567", "89001234568", "Тула"],
            ["Анна Смирнова", "89001234569", None, "Казань"],
        ],
        (0, 1, 0, 2, "Телефон"),
    )
    table = read_table(data, "base.xlsx")
    assert table.headers == ["ФИО", "Телефон", "Телефон", "Город"]
    assert [row[0] for row in table.rows] == ["Иван Петров", "Анна Смирнова"]


def test_a_row_of_phones_under_merged_titles_is_a_client() -> None:
    """Every column under a merged title: a row whose cells there are numbers is data."""
    data = xlsx(
        [["Клиент", None, "Телефоны", None], ["Иван", "Петров", 89001234567, 89001234568]],
        (0, 0, 0, 1, "Клиент"),
        (0, 2, 0, 3, "Телефоны"),
    )
    table = read_table(data, "base.xlsx")
    assert table.headers == ["Клиент", "Клиент", "Телефоны", "Телефоны"]
    assert table.rows == [["Иван", "Петров", 89001234567.0, 89001234568.0]]


def test_column_names_under_group_titles_and_a_one_column_title_are_the_header() -> None:
    """'Клиент' and 'Контакты' merged over two columns each, 'Сделка' over its one column
    (one cell is not merged), the columns' names in row 2 under all of them."""
    data = xlsx(
        [
            [None, None, None, None, "Сделка"],
            ["Фамилия", "Имя", "Телефон", "Email", "Сумма"],
            ["Петров", "Иван", "89001234567", "ivan@mail.ru", 1000],
        ],
        (0, 0, 0, 1, "Клиент"),
        (0, 2, 0, 3, "Контакты"),
    )
    table = read_table(data, "base.xlsx")
    assert table.headers == ["Фамилия", "Имя", "Телефон", "Email", "Сумма"]
    assert [row[0] for row in table.rows] == ["Петров"]


def test_a_note_on_the_first_sheet_does_not_hide_the_clients_on_the_second() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Инструкция").write("A1", "Заполните лист «Клиенты»")
    book.add_worksheet("Пусто")
    sheet = book.add_worksheet("Клиенты")
    sheet.write_row("A1", ["ФИО", "Телефон"])
    sheet.write_row("A2", ["Иван", "89001234567"])
    book.close()
    table = read_table(buffer.getvalue(), "base.xlsx")
    assert table.sheet == "Клиенты"
    assert (table.headers, table.rows) == (["ФИО", "Телефон"], [["Иван", "89001234567"]])


def test_ods_and_openpyxl_files_read_too() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Phone"])
    sheet.append(["Ivan", "+7 916 123 45 67"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "x.xlsx")
    assert (table.headers, table.rows) == (["Name", "Phone"], [["Ivan", "+7 916 123 45 67"]])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import_empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "import_not_spreadsheet"),
        (b"PK\x03\x04 not really a zip", "import_not_spreadsheet"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 64
            + "EncryptedPackage".encode("utf-16-le"),
            "import_password",
        ),
        (b"A;B\r\n", "import_empty"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", "import_not_spreadsheet"),
        (b"\xef\xbb\xbf\r\n<!DOCTYPE html><html><table><tr><td>A;B", "import_web_page"),
        (b"<HTML><body>A;B</body></HTML>", "import_web_page"),
        (b"<table>\n<tr><td>A</td><td>B</td></tr>", "import_web_page"),
        (b'<?xml version="1.0"?>\n<Workbook>', "import_web_page"),
        (b"{\\rtf1\\ansi A;B\\par}", "import_not_spreadsheet"),
        ("Имя;Телефон\nИван;89001234567\n".encode("utf-16") + b"\n", "import_not_spreadsheet"),
        (b"\xff\xfe" + "Имя\n".encode("utf-16-le") + b"\x00\xd8A\x00", "import_not_spreadsheet"),
        (b" " * (MAX_BYTES + 1), "import_too_large"),
    ],
)
def test_refusals(data: bytes, code: str) -> None:
    with pytest.raises(InvalidInput) as error:
        read_table(data, "file")
    assert error.value.code == code


def test_empty_workbook_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        read_table(xlsx([]), "empty.xlsx")
    assert error.value.code == "import_empty"


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crm.imports.reading.MAX_ROWS", 3)
    data = "\n".join(["Имя;Телефон"] + [f"N{i};8916123456{i}" for i in range(5)]).encode()
    with pytest.raises(InvalidInput) as error:
        read_table(data)
    assert error.value.code == "import_too_many_rows"


# --- rows -------------------------------------------------------------------------------


def test_row_joins_name_parts_and_repairs_cells() -> None:
    mapping = ["surname", "first_name", "patronymic", "phone", "email", "came_at", "deal_amount"]
    draft = build_row(2, list(ROW), mapping, "RU")
    assert isinstance(draft, RowDraft)
    assert draft.name == "Петров Иван Сергеевич"
    assert draft.phones == ["+79161234567"]
    assert draft.emails == ["ivan@mail.ru"]
    assert draft.came_at == datetime(2024, 1, 5, tzinfo=UTC)
    assert draft.deal_amount == 15_000_000 and draft.has_deal


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["Иван", "звонить", None], "bad_phone"),
        (["Иван", None, "not-an-email"], "bad_email"),
        (["---", None, None], "no_name"),
        (["x" * 201, None, None], "too_long"),
    ],
)
def test_rejected_rows(cells: list[Any], reason: str) -> None:
    result = build_row(7, cells, ["name", "phone", "email"], "RU")
    assert isinstance(result, Rejected)
    assert (result.number, result.reason) == (7, reason)


def test_row_without_name_is_named_after_company_or_phone() -> None:
    draft = build_row(3, [None, "ООО Ромашка", "89161234567"], ["name", "company", "phone"], "RU")
    assert isinstance(draft, RowDraft) and draft.name == "ООО Ромашка"
    draft = build_row(3, [None, None, "89161234567"], ["name", "company", "phone"], "RU")
    assert isinstance(draft, RowDraft) and draft.name == "+79161234567"
    draft = build_row(3, ["Ann", "vip; Опт"], ["name", "tags"], "RU")
    assert isinstance(draft, RowDraft) and draft.tags == ["vip", "опт"]
    draft = build_row(3, ["Ann", "vip, \u200b\u200f; #\u202e"], ["name", "tags"], "RU")
    assert isinstance(draft, RowDraft) and draft.tags == ["vip"]  # no tag that shows nothing
    draft = build_row(3, ["Ann", "12345"], ["name", "custom:inn"], "RU")
    assert isinstance(draft, RowDraft) and draft.custom == {"inn": "12345"}


def test_rejected_rows_file_keeps_the_cells_and_says_why() -> None:
    from crm.imports.plan import plan
    from crm.imports.rejected import rejected_file

    table = read_table("Имя;Телефон\nИван;89161234567\nОлег;звонить\n".encode("cp1251"))
    work = plan(table, ["name", "phone"], "RU")
    data = rejected_file(table, work.rejected, "Причина", lambda r: f"{r.reason}: {r.detail}", "ru")
    again = read_table(data)
    assert again.headers == ["Имя", "Телефон", "Причина"]
    assert again.rows == [["Олег", "звонить", "bad_phone: звонить"]]


def test_a_rejected_row_with_a_phone_stored_as_a_number_imports_once_fixed() -> None:
    """The phone a number cell of the .xlsx, the row rejected for its e-mail: the file of
    rejected rows gives the phone back as Excel showed it, not as 79161234567.0."""
    from crm.imports.rejected import rejected_file

    table = read_table(xlsx([["ФИО", "Телефон", "Email"], ["Иван", 79161234567, "ivan@@mail"]]))
    mapping = propose(table.headers)
    rejected = build_row(2, table.rows[0], mapping, "RU")
    assert isinstance(rejected, Rejected) and rejected.reason == "bad_email"
    again = read_table(rejected_file(table, [rejected], "Причина", lambda r: r.reason, "ru"))
    assert again.rows == [["Иван", "79161234567", "ivan@@mail", "bad_email"]]
    draft = build_row(2, [*again.rows[0][:2], "ivan@mail.ru"], mapping, "RU")
    assert isinstance(draft, RowDraft) and draft.phones == ["+79161234567"]


def test_a_western_cp1252_csv_is_not_read_as_cyrillic() -> None:
    data = "Name;Phone\nJürgen Müller;+4930123456\nFrançois Dubois;+33123456789\n"
    table = read_table(data.encode("cp1252"), "clients.csv")
    assert [row[0] for row in table.rows] == ["Jürgen Müller", "François Dubois"]


def test_a_column_title_our_csv_export_guarded_reads_back_as_it_was() -> None:
    table = read_table("'-Скидка;'=1+1\n5;6\n".encode(), "export.csv")
    assert table.headers == ["-Скидка", "=1+1"]


def test_a_header_far_down_keeps_the_rows_numbers_and_blank_lines_are_not_held() -> None:
    """Empty rows above the header are counted, not held: rejected rows are told by their
    number in the file, and a file of a million blank lines is not kept in memory."""
    data = ("\n" * 15 + "Имя;Телефон\nИван;89161234567\n").encode()
    table = read_table(data, "late.csv")
    assert (table.headers, table.numbers) == (["Имя", "Телефон"], [17])
    sheet = xlsx([*([[None]] * 15), ["Имя", "Телефон"], ["Иван", "89161234567"]])
    assert read_table(sheet, "late.xlsx").numbers == [17]
    tracemalloc.start()
    with pytest.raises(InvalidInput):
        read_table(b";\n" * 1_000_000, "blank.csv")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Имя;Заметка\nИван;a\nОлег;b\n", [2, 3]),
        ('Имя;Заметка\nИван;"one\ntwo\nthree"\nОлег;b\n', [2, 5]),  # the note: lines 2–4
        ('Имя;Заметка\r\nИван;"one\r\ntwo"\r\n\r\nОлег;b\r\n', [2, 5]),  # a blank line
        ('Клиенты\n\nИмя;Заметка\nИван;"one\ntwo"\nОлег;b\nАнна;c\n', [4, 6, 7]),  # a title
        ('Имя;"Заметка\nк звонку"\nИван;a\nОлег;"b\n\nc"\nАнна;d\n', [3, 4, 7]),  # header too
        ("Имя;Заметка\n" + 'Иван;"a\nb"\n' * 12 + "Олег;c\n", [*range(2, 26, 2), 26]),
    ],
    ids=["one-line", "note", "crlf-blank", "title", "header", "many"],
)
def test_a_csv_rows_number_is_the_line_it_starts_on(text: str, numbers: list[int]) -> None:
    """As a text editor shows the file, and as the refusal of a quote left open names its
    line: after a quoted cell with line breaks in it, a row's place among the rows is not
    its line."""
    table = read_table(text.encode(), "notes.csv")
    assert table.numbers == numbers
    assert table.by_line
    assert not read_table(xlsx([["Имя", "Заметка"], ["Иван", "a\nb"], ["Олег", "c"]])).by_line


@pytest.mark.parametrize(
    ("lines", "hints"),
    [
        (["Иван;8 916 123-45-67;ivan@mail.ru", "Анна;;"], ["name", "phone", "email"]),
        (["01.02.2024;Иван;89161234567", "2024-02-02;Анна;89031112233"], ["date", "name", "phone"]),
        (["89161234567", "89031112233"], ["phone"]),
    ],
)
def test_a_file_with_no_header_is_proposed_by_what_it_holds(
    lines: list[str], hints: list[str]
) -> None:
    """The first row is a client's (it holds a phone or an e-mail, and names no column):
    kept as a row, the columns proposed by their cells; a date is no phone."""
    table = read_table("\r\n".join(lines).encode(), "list.csv")
    assert table.numbers == [1, 2] and table.hints == hints
    assert table.headers == [""] * len(hints)


def test_a_header_of_names_the_import_does_not_know_stays_a_header() -> None:
    table = read_table("Отчёт;2024-01-31\r\nИван;89161234567\r\n".encode(), "report.csv")
    assert table.headers == ["Отчёт", "2024-01-31"] and table.hints == []
