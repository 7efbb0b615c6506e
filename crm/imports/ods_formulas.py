"""Formula cells an .ods holds without their results, for ``crm.imports.formulas``.

A program that writes OpenDocument sheets without computing them leaves a formula cell
with no value type (``table:formula`` alone); python-calamine reads it as empty. The
sheet's XML is streamed through expat from the zip, nothing of it kept: rows and cells
are counted as written (``number-rows-repeated``, ``number-columns-repeated``, covered
cells under a merge). It is parsed only when a quick look through the bytes finds such
a cell, so a sheet LibreOffice saved (every formula with its value) costs one pass of a
regular expression.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

_CHUNK = 1 << 20
_CONTENT = "content.xml"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SHEET, _ROW = f"{_TABLE} table", f"{_TABLE} table-row"
_CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")
_FORMULA, _TYPE = f"{_TABLE} formula", f"{_OFFICE} value-type"
_NAME = f"{_TABLE} name"
_ROWS_REPEATED = f"{_TABLE} number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE} number-columns-repeated"
# A formula with no value type after it in its tag (the judge is the parse: a writer
# putting the type first costs only the parse). "[^<>]" never passes the tag's end, so
# each tag is looked through once.
_BARE = re.compile(rb'formula="[^"]*+"(?![^<>]*value-type=)')  # a literal first: fast
Range = tuple[int, int, int]  # first row, last row (from 1), column (from 0)


def is_ods(book: zipfile.ZipFile) -> bool:
    return _CONTENT in book.namelist() and "xl/workbook.xml" not in book.namelist()


def ods_formula_cells(book: zipfile.ZipFile, sheet: str, columns: range) -> Iterator[Range]:
    """The rows of each formula cell without a value in ``columns`` of the sheet so named."""
    if not _bare_cells(book):
        return
    found: list[Range] = []
    walk = _Walk(sheet, columns, found)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = walk.start
    parser.EndElementHandler = walk.end
    with book.open(_CONTENT) as part:
        while not walk.done and (chunk := part.read(_CHUNK)):
            parser.Parse(chunk, False)
            yield from found
            found.clear()


def _bare_cells(book: zipfile.ZipFile) -> bool:
    rest = b""
    with book.open(_CONTENT) as part:
        while chunk := part.read(_CHUNK):
            text = rest + chunk
            cut = max(text.rfind(b"<"), 0)  # a tag cut in two is looked at whole next
            if _BARE.search(text, 0, cut):
                return True
            rest = text[cut:]
            rest = rest if len(rest) <= _CHUNK else b""  # no tag is that long: not again
    return bool(_BARE.search(rest))


class _Walk:
    """Counts the rows and cells of the sheet named ``sheet``; a table inside a cell is
    not the sheet's."""

    def __init__(self, sheet: str, columns: range, found: list[Range]) -> None:
        self.sheet, self.columns, self.found = sheet, columns, found
        self.depth = 0  # tables open
        self.inside = self.done = False
        self.row = self.rows = self.column = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _SHEET:
            self.depth += 1
            if self.depth == 1:
                self.inside = attrs.get(_NAME) == self.sheet
            return
        if not self.inside or self.depth != 1:
            return
        if name == _ROW:
            self.column, self.rows = 0, _count(attrs.get(_ROWS_REPEATED))
        elif name in _CELLS:
            repeated = _count(attrs.get(_COLUMNS_REPEATED))
            if _FORMULA in attrs and _TYPE not in attrs:
                first, last = self.row + 1, self.row + self.rows
                left = max(self.column, self.columns.start)
                right = min(self.column + repeated, self.columns.stop)
                self.found.extend((first, last, column) for column in range(left, right))
            self.column += repeated

    def end(self, name: str) -> None:
        if name == _SHEET:
            self.depth -= 1
            if self.depth == 0 and self.inside:
                self.inside, self.done = False, True
        elif name == _ROW and self.inside and self.depth == 1:
            self.row += self.rows


def _count(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 1
