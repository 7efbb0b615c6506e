"""Formula cells a workbook holds without their results: found, by column, and only
looked for when the workbook says it was not computed or a named column came out empty."""

from __future__ import annotations

import io
import re
import time
import zipfile
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from crm.imports.formulas import Uncomputed, uncomputed
from crm.imports.ods_formulas import _bare_cells
from crm.imports.reading import read_table
from tests.ods_files import Cell, Formula, Raw, ods, text_cell


def by_openpyxl(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def by_xlsxwriter(rows: list[list[Any]], at: tuple[int, int] = (0, 0)) -> bytes:
    """Formulas written as xlsxwriter does by default (a result of 0), or as ("=…", 3)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Клиенты & Co")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, tuple):
                sheet.write_formula(at[0] + r, at[1] + c, value[0], None, value[1])
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(at[0] + r, at[1] + c, value)
            elif value is not None:
                sheet.write(at[0] + r, at[1] + c, value)
    book.close()
    return buffer.getvalue()


def unmarked(data: bytes) -> bytes:
    """The workbook as Excel saves it: no mark asking to compute it when opened."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            part = source.read(item)
            if item.filename == "xl/workbook.xml":
                part = re.sub(rb' fullCalcOnLoad="1"', b"", part)
            target.writestr(item, part)
    return buffer.getvalue()


HEADER = ["ФИО", "Сумма", "Город"]

F = Formula("of:=[.A1]*2")  # written without its result
BARE = '<table:table-cell table:formula="of:=1"'
REPEATED = '<table:table-row table:number-rows-repeated="{rows}">'


@pytest.mark.parametrize(
    ("data", "rows", "formulas"),
    [
        # openpyxl keeps no results: the sums read as empty.
        (
            by_openpyxl([HEADER, ["Иван", "=2*3", "Тула"], ["Анна", "=B2+1", "Орёл"]]),
            [["Иван", None, "Тула"], ["Анна", None, "Орёл"]],
            [Uncomputed(1, 2, 2, 3)],
        ),
        # xlsxwriter writes 0 for each result and marks the book to be computed.
        (
            by_xlsxwriter([HEADER, ["Иван", "=2*3", "Тула"], ["Анна", 5, "=A1"]]),
            [["Иван", 0.0, "Тула"], ["Анна", 5.0, 0.0]],
            [Uncomputed(1, 1, 2, 2), Uncomputed(2, 1, 3, 3)],
        ),
        # xlsxwriter given the results: they are read, nothing is said.
        (
            by_xlsxwriter([HEADER, ["Иван", ("=2*3", 6), "Тула"]]),
            [["Иван", 6.0, "Тула"]],
            [],
        ),
        # Below empty rows and right of an empty column: the table's own columns and the
        # file's row numbers; a row of formulas alone is told too, though not imported.
        (
            by_xlsxwriter(
                [HEADER, ["Иван", "=1", "Тула"], [None, "=2", None], ["Анна", 4, "Орёл"]], (2, 1)
            ),
            [["Иван", 0.0, "Тула"], [None, 0.0, None], ["Анна", 4.0, "Орёл"]],
            [Uncomputed(1, 2, 4, 5)],
        ),
        # Not marked (a program that leaves results out without saying so): looked for
        # because the named column "Сумма" came out empty.
        (
            unmarked(by_openpyxl([HEADER, ["Иван", "=2*3", "Тула"]])),
            [["Иван", None, "Тула"]],
            [Uncomputed(1, 1, 2, 2)],
        ),
        # Not marked and no named column empty: the file is not read again (a result
        # missing among values is not looked for).
        (
            unmarked(by_openpyxl([HEADER, ["Иван", "=2*3", "Тула"], ["Анна", 5, "Орёл"]])),
            [["Иван", None, "Тула"], ["Анна", 5, "Орёл"]],
            [],
        ),
        # An .ods with formulas saved without results: read as empty, nothing said.
        # Read as empty with nothing said, as in an .xlsx openpyxl wrote.
        (
            ods(("Клиенты", [HEADER, ["Иван", F, "Тула"], ["Анна", Formula("of:=1", 7), "Орёл"]])),
            [["Иван", None, "Тула"], ["Анна", 7.0, "Орёл"]],
            [Uncomputed(1, 1, 2, 2)],
        ),
        # The clients on the second sheet: the note's formula on the first is not theirs.
        (
            ods(("Инструкция", [["Заполните", F]]), ("Клиенты", [HEADER, ["Иван", 5, F]])),
            [["Иван", 5.0, None]],
            [Uncomputed(2, 1, 2, 2)],
        ),
        # Rows and cells written once for several, a merged cell's covered one, a blank
        # row and column before the table.
        (
            ods(
                (
                    "Лист",
                    [
                        Raw(f"{REPEATED.format(rows=2)}<table:table-cell/></table:table-row>"),
                        [None, *HEADER],
                        Raw(
                            f"{REPEATED.format(rows=3)}<table:table-cell/>{text_cell('Иван')}"
                            f'{BARE} table:number-columns-repeated="2"/></table:table-row>'
                        ),
                        [None, "Анна", Raw("<table:covered-table-cell/>"), F],
                    ],
                )
            ),
            [["Иван", None, None]] * 3 + [["Анна", None, None]],
            [Uncomputed(1, 3, 4, 6), Uncomputed(2, 4, 4, 7)],
        ),
        # Every formula with its result, as LibreOffice saves: nothing said.
        (
            ods(("Клиенты", [HEADER, ["Иван", Formula("of:=2*3", 6), "Тула"]])),
            [["Иван", 6.0, "Тула"]],
            [],
        ),
        (
            ods(("Клиенты", [HEADER, ["Иван", Formula("of:=IF([.A1]>0;1;2)"), "Тула"]])),
            [["Иван", None, "Тула"]],
            [Uncomputed(1, 1, 2, 2)],
        ),
        # A formula in the header row is not the clients'.
        (
            ods(("Клиенты", [["ФИО", Formula("of:=1"), "Город"], ["Иван", 1, "Тула"]])),
            [["Иван", 1.0, "Тула"]],
            [],
        ),
    ],
)
def test_formulas_without_results_by_column(
    data: bytes, rows: list[list[Any]], formulas: list[Uncomputed]
) -> None:
    table = read_table(data, "base.xlsx")
    assert table.rows == rows
    assert table.formulas == formulas


def sheet_zip(cells: str, workbook_extra: str = "") -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr(
            "xl/workbook.xml",
            f'<x:workbook xmlns:x="{main}" xmlns:r="{rel}"><x:sheets>'
            f'<x:sheet name="Лист &amp; 1" sheetId="1" r:id="rId7"/></x:sheets>'
            f"{workbook_extra}</x:workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId7" Type="x" Target="/xl/worksheets/s.xml"/></Relationships>',
        )
        book.writestr(
            "xl/worksheets/s.xml",
            f'<x:worksheet xmlns:x="{main}"><x:sheetData><x:row r="3">{cells}</x:row>'
            "</x:sheetData></x:worksheet>",
        )
    return buffer.getvalue()


MARKED = '<x:calcPr calcId="1" fullCalcOnLoad="1"/>'


@pytest.mark.parametrize(
    ("cells", "marked", "found"),
    [
        ('<x:c r="B3"><x:f>A1</x:f></x:c>', False, [Uncomputed(0, 1, 3, 3)]),
        ('<x:c r="C3" t="str"><x:f>A1</x:f><x:v></x:v></x:c>', False, [Uncomputed(1, 1, 3, 3)]),
        ('<x:c r="B3" s="2"><x:f t="shared" si="0"/><x:v/></x:c>', False, [Uncomputed(0, 1, 3, 3)]),
        ('<x:c r="B3"><x:f>A1</x:f><x:v>0</x:v></x:c>', False, []),
        ('<x:c r="B3"><x:f>A1</x:f><x:v>0</x:v></x:c>', True, [Uncomputed(0, 1, 3, 3)]),
        ('<x:c r="B3"><x:f>A1</x:f><x:v>7</x:v></x:c>', True, []),
        ('<x:c r="B3" t="s"><x:v>0</x:v></x:c><x:c r="C3"/>', True, []),
        ('<x:c r="A3"><x:f>B1</x:f></x:c>', False, []),  # left of the table
        ('<x:c r="AA3"><x:f>B1</x:f></x:c>', False, []),  # right of it
    ],
)
def test_cells_of_the_sheet_xml(cells: str, marked: bool, found: list[Uncomputed]) -> None:
    extra = MARKED if marked else ""
    data = sheet_zip(cells, extra)
    assert uncomputed(data, "Лист & 1", 1, 2, 5, empty=True) == found
    assert uncomputed(data, "Другой лист", 1, 2, 5, empty=True) == []
    if not marked:
        assert uncomputed(data, "Лист & 1", 1, 2, 5, empty=False) == []


def test_a_file_that_is_no_xlsx_has_none() -> None:
    assert uncomputed(b"PK\x03\x04 broken", "Лист", 0, 2, 3, empty=True) == []


@pytest.mark.parametrize(
    "hostile",
    [
        # A formula cell with a result, and a long run of spaces before it.
        '<x:c r="B3"><x:f>A1</x:f>' + " " * 40_000 + "<x:v>5</x:v></x:c>",
        # A cell's text full of what a cell's reference looks like.
        '<x:c r="B3" t="inlineStr"><x:is><x:t>' + 'r="A1" ' * 20_000 + "</x:t></x:is></x:c>",
    ],
)
def test_a_sheet_made_to_be_slow_is_looked_through_at_once(hostile: str) -> None:
    """Each part of the sheet is looked at once: a few kilobytes in the zip took the
    square of their length (seconds here, hours at a few megabytes) while the bot waited."""
    data = sheet_zip(hostile + '<x:c r="C3"><x:f>A1</x:f></x:c>', MARKED)
    began = time.perf_counter()
    found = uncomputed(data, "Лист & 1", 1, 2, 5, empty=True)
    assert time.perf_counter() - began < 1
    assert found == [Uncomputed(1, 1, 3, 3)]


def test_a_workbook_made_to_be_slow_is_looked_through_at_once() -> None:
    """A comment in the workbook's part full of what its mark's tag begins with: looked
    through once (it took the square of its length: seconds here, hours at 4 MB)."""
    comment = "<!-- " + "<x:calcPr " * 10_000 + "-->"
    data = sheet_zip('<x:c r="C3"><x:f>A1</x:f></x:c>', comment + MARKED)
    began = time.perf_counter()
    found = uncomputed(data, "Лист & 1", 1, 2, 5, empty=False)
    assert time.perf_counter() - began < 1
    assert found == [Uncomputed(1, 1, 3, 3)]  # the mark after the comment is found


@pytest.mark.parametrize(
    ("cells", "bare"),
    [
        # Each formula with its value, over several pieces: a tag cut between two was
        # taken for one without a value, and the whole sheet was parsed for nothing.
        ([Formula("of:=IF([.A1]>0;1;2)", 5)] * 30_000, False),
        ([Formula("of:=IF([.A1]>0;1;2)", 5)] * 30_000 + [Formula("of:=IF([.A1]>0;1;2)")], True),
        # The value type written before the formula: parsed, and the parse finds it.
        ([Raw('<table:table-cell office:value-type="float" table:formula="of:=1"/>')], True),
        (["x"], False),
    ],
)
def test_an_ods_is_parsed_only_with_a_formula_lacking_its_value(
    cells: list[Cell], bare: bool
) -> None:
    data = ods(("Лист", [["ФИО"], *([cell] for cell in cells)]))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert _bare_cells(book) == bare
