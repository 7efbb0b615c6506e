"""Formula cells an .xlsx or .ods holds without their results, told by column.

A program that writes workbooks without computing them (openpyxl, xlsxwriter, a script
that edited an Excel file with one of them) leaves each formula's result empty, or 0 in
xlsxwriter's case, and marks the workbook to be computed when opened
(``fullCalcOnLoad``). python-calamine reads only the results, so such a column read as
empty, or as zeros, and nothing said so. calamine cannot tell such a cell from an empty
one, so the sheet's XML is looked through, in pieces straight from the zip (the file is
not held twice), only when the workbook is so marked or a named column came out empty.
An .ods's are ``crm.imports.ods_formulas``'. An .xls keeps a result with each formula
(and calamine shows no formulas), so nothing is looked for in one.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.parsers import expat

from crm.imports.ods_formulas import Range, is_ods, ods_formula_cells

_CHUNK = 1 << 20
_MAX_ROW = 64 << 20  # a row longer than this is not looked through
_SMALL = 4 << 20  # the workbook's part and its relationships are read whole up to this
_NS = rb"(?:[\w.-]+:)?"  # a prefix some writers give the elements (x:c)
# From a cell's tag, its reference read ahead within the tag. Every scan stops at the
# tag's "<" or ">" and no run of spaces is split two ways (possessive "*+"): a sheet is
# looked through once, whatever its cells hold. Starting from the reference instead
# ('r="A1"', which text in a cell can hold too) looked through the rest of a long text
# again from each one, and a formula cell with a long run of spaces took the square of
# its length: a small hostile file held the bot for hours. A sheet of 200,000 formulas
# takes some 0.6 s, against calamine's 6 s.
_CELL = rb'<(?:c|[\w.-]+:c)\b(?=[^<>]*?\br="([A-Z]{1,3})([0-9]{1,7})")[^<>]*+>\s*+'
_FORMULA = rb"<" + _NS + rb"f\b[^<>]*(?:/>|>[^<]*+</" + _NS + rb"f>)\s*+"
_NO_VALUE = rb"<" + _NS + rb"v\s*+/>|<" + _NS + rb"v>\s*+</" + _NS + rb"v>"
_ZERO = rb"|<" + _NS + rb"v>0</" + _NS + rb"v>"
_END = rb"</" + _NS + rb"c>"
_EMPTY = re.compile(_CELL + _FORMULA + rb"(?:(?:" + _NO_VALUE + rb")\s*+)?" + _END)
_EMPTY_OR_ZERO = re.compile(_CELL + _FORMULA + rb"(?:(?:" + _NO_VALUE + _ZERO + rb")\s*+)?" + _END)
# Within the tag (up to its "<" or ">"): a comment full of "<calcPr " was looked through
# again from each, the square of its length, before any sheet was.
_CALC_ON_LOAD = re.compile(rb'<(?:[\w.-]+:)?calcPr\b[^<>]*\bfullCalcOnLoad="(?:1|true)"')
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True, slots=True)
class Uncomputed:
    """A column of the table with formulas whose results the file does not hold."""

    column: int
    cells: int
    first: int  # the first and last of their rows, numbered as in the file
    last: int


def uncomputed(
    data: bytes, sheet: str, start_col: int, first_row: int, width: int, empty: bool
) -> list[Uncomputed]:
    """The columns of ``sheet`` (an .xlsx's or .ods's) from ``start_col`` on, ``width``
    of them, holding formulas without results from row ``first_row`` down. An .xlsx's
    sheet is looked through only when the workbook says it was not computed or ``empty``
    (a named column came out with no value): otherwise no file is read again. A workbook
    that is neither, or whose parts cannot be read, has none."""
    found: dict[int, list[int]] = {}  # column → [cells, first row, last row]
    columns = range(start_col, start_col + width)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            if is_ods(book):
                cells = ods_formula_cells(book, sheet, columns)
            else:
                cells = _xlsx_cells(book, sheet, empty)
            for first, last, column in cells:
                first = max(first, first_row)
                if first <= last and column in columns:
                    seen = found.setdefault(column - start_col, [0, first, last])
                    seen[0] += last - first + 1
                    seen[1], seen[2] = min(seen[1], first), max(seen[2], last)
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        ElementTree.ParseError,
        expat.ExpatError,
    ):
        return []
    return [Uncomputed(c, n, first, last) for c, (n, first, last) in sorted(found.items())]


def _xlsx_cells(book: zipfile.ZipFile, sheet: str, empty: bool) -> Iterator[Range]:
    workbook = _small(book, "xl/workbook.xml")
    marked = workbook is not None and bool(_CALC_ON_LOAD.search(workbook))
    path = _sheet_path(book, workbook, sheet) if marked or empty else None
    if path is not None:
        for row, column in _formula_cells(book, path, _EMPTY_OR_ZERO if marked else _EMPTY):
            yield row, row, column


def _small(book: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = book.getinfo(name)
    except KeyError:
        return None
    return book.read(info) if info.file_size <= _SMALL else None


def _sheet_path(book: zipfile.ZipFile, workbook: bytes | None, sheet: str) -> str | None:
    """The part of the zip that holds the sheet of that name."""
    rels = _small(book, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return None
    ids = {
        element.get("name"): element.get(f"{{{_RELATIONSHIPS}}}id")
        for element in ElementTree.fromstring(workbook).iter()
        if element.tag.rsplit("}", 1)[-1] == "sheet"
    }
    targets = {
        element.get("Id"): element.get("Target", "")
        for element in ElementTree.fromstring(rels).iter()
        if element.tag.rsplit("}", 1)[-1] == "Relationship"
    }
    target = targets.get(ids.get(sheet))
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _formula_cells(
    book: zipfile.ZipFile, path: str, pattern: re.Pattern[bytes]
) -> Iterator[tuple[int, int]]:
    """(row from 1, column from 0) of each formula cell the pattern takes, the part read
    in pieces cut after a row's end, so that no cell is cut in two."""
    rest = b""
    with book.open(path) as part:
        while chunk := part.read(_CHUNK):
            text = rest + chunk
            cut = text.rfind(b"row>") + 4  # after the last "</row>" (or "</x:row>")
            if cut < 4:
                if len(text) > _MAX_ROW:
                    return  # not a sheet as Excel writes them: nothing said
                rest = text
                continue
            text, rest = text[:cut], text[cut:]
            yield from _matches(text, pattern)
        yield from _matches(rest, pattern)


def _matches(text: bytes, pattern: re.Pattern[bytes]) -> Iterator[tuple[int, int]]:
    if b"<f" in text or b":f" in text:  # most pieces of most sheets hold no formula
        for match in pattern.finditer(text):
            yield int(match[2]), _column_index(match[1])


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1
