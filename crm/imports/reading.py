"""Reading a sent file into a header and rows: .xlsx, .xls, .ods (python-calamine) and .csv.

The format is told by the bytes, not the name. A CSV's text, delimiter and rows
are ``crm.imports.csv_text``'s (a quote left open is refused there), the header is
``crm.imports.header``'s (a title above it, merged cells), formulas a workbook holds
without results are ``crm.imports.formulas``'. Empty trailing rows and columns are
dropped. Each refusal is an ``InvalidInput`` with an ``import_*`` code.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import python_calamine

from crm.errors import ErrorCode, InvalidInput
from crm.imports import headerless
from crm.imports.csv_text import csv_rows, decode_text, sniff
from crm.imports.formulas import Uncomputed, uncomputed
from crm.imports.header import Merge, filled, find_header
from crm.parsing.cells import CellValue, cell_text

MAX_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
MAX_ROWS = 200_000
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
# Text files that are not tables, however named: a PDF, an RTF document. Read as CSV, each
# came in as rows of junk.
_NOT_TABLES = (b"%pdf", b"{\\rtf")
# Markup: a web page, or an HTML table or Excel 2003's XML with no page around it, as many
# programs save their "Excel" exports (".xls"); told to be saved as .xlsx.
_MARKUP = re.compile(rb"<[!?a-z]")
_HEADER_SCAN = 10  # rows looked at to find the header
_CONTROL = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Table:
    """The header (one name per column, '' for none) and the data rows below it."""

    headers: list[str]
    rows: list[list[CellValue]] = field(default_factory=list)
    sheet: str | None = None
    numbers: list[int] = field(default_factory=list)  # each row's number in the file
    by_line: bool = False  # the numbers are the lines the rows start on (a CSV's)
    formulas: list[Uncomputed] = field(default_factory=list)  # results the file lacks
    joined: list[tuple[int, int]] = field(default_factory=list)  # a name in parts: Header
    title: str = ""  # a title above the header, passed over (told on the mapping screen)
    merged: list[tuple[int, int]] = field(default_factory=list)  # header cells: Header
    hints: list[str] = field(default_factory=list)  # no header: targets by content
    first_row: str = ""  # no header: the first row, a client's, told on the mapping screen
    others: list[str] = field(default_factory=list)  # later sheets with rows: not imported

    def keep_only(self, numbers: set[int]) -> None:
        """Drop every row but those numbered: an import, once its rows are planned, keeps
        only those it rejected (for the file of rejected rows) and frees the rest."""
        kept = [(n, row) for n, row in zip(self.numbers, self.rows, strict=True) if n in numbers]
        self.numbers = [n for n, _ in kept]
        self.rows = [row for _, row in kept]


def read_table(data: bytes, file_name: str = "") -> Table:
    if len(data) > MAX_BYTES:
        raise InvalidInput(ErrorCode.IMPORT_TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise InvalidInput(ErrorCode.IMPORT_EMPTY)
    if data.startswith(_OLE) and _ENCRYPTED in data:
        raise InvalidInput(ErrorCode.IMPORT_PASSWORD)
    if data.startswith((_ZIP, _OLE)):
        return _read_workbook(data)
    if _binary(data[:4096]) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET)
    start = data[:64].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if start.startswith(_NOT_TABLES):
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET)
    if _MARKUP.match(start):
        raise InvalidInput(ErrorCode.IMPORT_WEB_PAGE)
    return _read_csv(data)


def _binary(sample: bytes) -> bool:
    """NULs among other control bytes or all over (UTF-16 with no mark), not a stray one."""
    nuls = sample.count(0)
    return bool(nuls) and (nuls * 10 > len(sample) or bool(_CONTROL.search(sample)))


# --- workbooks --------------------------------------------------------------------------


def _read_workbook(data: bytes) -> Table:
    """The first sheet with rows under its header: a note alone on a sheet before the
    clients' one ('Заполните лист «Клиенты»') is passed over, not taken for an empty file."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError as exc:
        raise InvalidInput(ErrorCode.IMPORT_PASSWORD) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise InvalidInput(ErrorCode.IMPORT_PASSWORD) from exc
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET) from exc
    try:
        found = _first_table(book)
    except python_calamine.CalamineError as exc:
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET) from exc
    finally:
        book.close()  # what calamine holds is let go before the formulas are looked for
    if found is None:
        raise InvalidInput(ErrorCode.IMPORT_EMPTY)
    table, name, start_col = found
    empty = any(h and not _column_used(table.rows, c) for c, h in enumerate(table.headers))
    first, width = table.numbers[0], len(table.headers)
    table.formulas = uncomputed(data, name, start_col, first, width, empty)
    return table


def _first_table(book: python_calamine.CalamineWorkbook) -> tuple[Table, str, int] | None:
    """The table, its sheet's name and the sheet's first used column."""
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
        except python_calamine.CalamineError:
            continue
        table = _sheet_table(sheet)
        if table is not None:
            table.sheet = name
            table.others = _filled(book, book.sheet_names[book.sheet_names.index(name) + 1 :])
            return table, name, (sheet.start or (0, 0))[1]
    return None


def _filled(book: python_calamine.CalamineWorkbook, names: list[str]) -> list[str]:
    """The sheets among ``names`` with any cell filled: told, as only the first is read."""
    filled = []
    for name in names:
        try:
            rows = book.get_sheet_by_name(name).iter_rows()
        except python_calamine.CalamineError:
            continue
        if any(cell not in (None, "") for row in rows for cell in row):
            filled.append(name)
    return filled


def _sheet_table(sheet: python_calamine.CalamineSheet) -> Table | None:
    # calamine yields rows from the sheet's first row, but columns from its first used one.
    start_col = (sheet.start or (0, 0))[1]
    rows = sheet.iter_rows()
    blank, head = _head(rows)
    merged = [
        ((r0 - blank, c0 - start_col), (r1 - blank, c1 - start_col))
        for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
    ]
    return _table(head, _chain(head, rows), merged, lambda index: 1 + blank + index)


def _head(rows: Iterator[Sequence[CellValue]]) -> tuple[int, list[list[CellValue]]]:
    """How many empty rows are passed over above the header, and the next rows to find it."""
    blank, head = 0, list[list[CellValue]]()
    for row in rows:
        if not head and not any(filled(v) for v in row):
            blank += 1
            continue
        head.append(list(row))
        if len(head) >= _HEADER_SCAN:
            break
    return blank, head


def _chain(
    head: list[list[CellValue]], rest: Iterator[Sequence[CellValue]]
) -> Iterator[list[CellValue]]:
    yield from head
    for row in rest:
        yield list(row)


# --- CSV --------------------------------------------------------------------------------


def _read_csv(data: bytes) -> Table:
    text = decode_text(data)
    delimiter, titles = sniff(text[:20_000])
    starts = _Starts()
    try:
        read = csv_rows(text, delimiter, starts.append)
        rows: Iterator[list[CellValue]] = (list(row) for row in read)
        passed, title = _titles(rows, titles)
        blank, head = _head(rows)
        above = passed + blank
        table = _table(head, _chain(head, rows), [], lambda index: starts[above + index])
    except csv.Error as exc:
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET) from exc
    if table is None:
        raise InvalidInput(ErrorCode.IMPORT_EMPTY)
    table.title = title or table.title
    table.by_line = True
    return table


class _Starts:
    """The lines the rows of a CSV start on, by the rows' places in it; only the last few
    are kept (the header's rows are read ahead of the rest), not one a row."""

    def __init__(self) -> None:
        self._seen = 0
        self._last: deque[int] = deque(maxlen=_HEADER_SCAN + 1)

    def append(self, line: int) -> None:
        self._seen += 1
        self._last.append(line)

    def __getitem__(self, place: int) -> int:
        back = self._seen - place  # 1 for the row read last
        if not 0 < back <= len(self._last):
            raise IndexError(place)  # not kept: never wrapped round to another row's line
        return self._last[-back]


def _titles(rows: Iterator[list[CellValue]], titles: int) -> tuple[int, str]:
    """The rows taken by ``titles`` title lines (blank ones among them), and the title."""
    passed, said = 0, list[str]()
    while len(said) < titles and (row := next(rows, None)) is not None:
        passed += 1
        said.extend(str(cell).strip() for cell in row if filled(cell))
    return passed, " ".join(said)


# --- both -------------------------------------------------------------------------------


def _table(
    head: list[list[CellValue]],
    rows: Iterator[list[CellValue]],
    merged: list[Merge],
    number: Callable[[int], int],
) -> Table | None:
    """The header (``crm.imports.header``) and the rows under it; None when no row is.
    ``number`` is the row's number in the file, told the member (its row in a sheet, the
    line a CSV's row starts on) by its place in ``rows`` (the header's rows the first)."""
    header = find_header(head, merged)
    if header is None:
        return None
    headless = not header.title and not header.merged and headerless.is_data(header.names)
    if headless:  # the first client's row, not a header: imported too
        header.names, header.skip = [""] * len(header.names), header.skip - 1
    headers, skip = header.names, header.skip
    kept: list[list[CellValue]] = []
    numbers: list[int] = []
    width = len(headers)
    for index, row in enumerate(rows):
        if index < skip:
            continue
        if not any(filled(v) for v in row):
            continue
        if len(kept) >= MAX_ROWS:
            raise InvalidInput(ErrorCode.IMPORT_TOO_MANY_ROWS, limit=MAX_ROWS)
        width = max(width, _lastfilled(row))
        # Short texts repeat down a column (a city, a status, a manager): kept once.
        kept.append([sys.intern(v) if type(v) is str and len(v) <= 64 else v for v in row])
        numbers.append(number(index))
    used = [c for c in range(width) if (c < len(headers) and headers[c]) or _column_used(kept, c)]
    width = (used[-1] + 1) if used else 0
    headers = (headers + [""] * width)[:width]
    if not kept:
        return None  # a header, or a note, with nothing under it
    rows_kept = [_fit(row, width) for row in kept]
    table = Table(headers, rows_kept, numbers=numbers, joined=header.joined, title=header.title)
    table.merged = [(c0, min(c1, width - 1)) for c0, c1 in header.merged if c0 < width - 1]
    if headless:
        table.hints = headerless.hints(rows_kept, width)
        table.first_row = "; ".join(t for v in rows_kept[0] if (t := cell_text(v)))
    return table


def _lastfilled(row: list[CellValue]) -> int:
    for column in range(len(row) - 1, -1, -1):
        if filled(row[column]):
            return column + 1
    return 0


def _column_used(rows: list[list[CellValue]], column: int) -> bool:
    return any(column < len(row) and filled(row[column]) for row in rows)


def _fit(row: list[CellValue], width: int) -> list[CellValue]:
    cells = [None if isinstance(v, str) and not v.strip() else v for v in row[:width]]
    return cells + [None] * (width - len(cells))
