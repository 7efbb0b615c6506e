"""Reading a sent file into a header and rows: .xlsx, .xls, .ods (python-calamine) and .csv.

The format is told by the bytes, not the name. CSV gets its encoding detected
(UTF-8 with or without BOM, UTF-16, cp1251, koi8-r, cp866) and its delimiter
sniffed. Merged header cells are spread over the columns they cover, a second
header row under merged group titles is used where it names their columns in
words (and holds nothing under the columns named on their own), and empty
trailing rows and columns are dropped. Each refusal is an ``InvalidInput`` with
an ``import_*`` code.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import charset_normalizer
import python_calamine

from crm.errors import ErrorCode, InvalidInput
from crm.exports.files import unescaped
from crm.parsing.cells import CellValue, cell_text

MAX_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
MAX_ROWS = 200_000
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
# Text files that are not tables, however named: a PDF, a web page (also what some
# programs save as ".xls"), an RTF document. Read as CSV, each came in as rows of junk.
_NOT_TABLES = (b"%pdf", b"<html", b"<!doctype", b"{\\rtf")
_HEADER_SCAN = 10  # rows looked at to find the header
_DELIMITERS = ";,\t"
_ONE_COLUMN = "\0"  # a delimiter no text has: each line is one cell
_CYRILLIC = ["cp1251", "koi8_r", "cp866"]  # what a CSV not in UTF-8 is guessed to be in
_WORDS = re.compile(r"[^\W\d_]+")
_CONTROL = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Table:
    """The header (one name per column, '' for none) and the data rows below it."""

    headers: list[str]
    rows: list[list[CellValue]] = field(default_factory=list)
    sheet: str | None = None
    numbers: list[int] = field(default_factory=list)  # each row's number in the file

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
    if data[:64].removeprefix(b"\xef\xbb\xbf").lstrip().lower().startswith(_NOT_TABLES):
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET)
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
        for name in book.sheet_names:
            try:
                sheet = book.get_sheet_by_name(name)
            except python_calamine.CalamineError:
                continue
            table = _sheet_table(sheet)
            if table is not None:
                table.sheet = name
                return table
    except python_calamine.CalamineError as exc:
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET) from exc
    finally:
        book.close()
    raise InvalidInput(ErrorCode.IMPORT_EMPTY)


def _sheet_table(sheet: python_calamine.CalamineSheet) -> Table | None:
    # calamine yields rows from the sheet's first row, but columns from its first used one.
    start_col = (sheet.start or (0, 0))[1]
    rows = sheet.iter_rows()
    blank, head = _head(rows)
    merged = [
        ((r0 - blank, c0 - start_col), (r1 - blank, c1 - start_col))
        for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
    ]
    return _table(head, _chain(head, rows), merged, first_row=1 + blank)


def _head(rows: Iterator[Sequence[CellValue]]) -> tuple[int, list[list[CellValue]]]:
    """How many empty rows are passed over above the header, and the next rows to find it."""
    blank, head = 0, list[list[CellValue]]()
    for row in rows:
        if not head and not any(_filled(v) for v in row):
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


def decode_text(data: bytes) -> str:
    """The text of a CSV file in whichever of the usual encodings it was saved, without
    the NUL characters a broken export leaves (PostgreSQL refuses them in text)."""
    return _decoded(data).replace("\x00", "")


def _decoded(data: bytes) -> str:
    """A UTF-16 file that is not whole UTF-16 is refused as not a spreadsheet."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:  # cut short (an odd length) or a lone surrogate
            raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Only the code pages Russian files are saved in: with Mac Cyrillic or Latin-1 among
    # them, a short cp1251 file (Excel's CSV) was sometimes taken for one of those.
    best = charset_normalizer.from_bytes(data[:200_000], cp_isolation=_CYRILLIC).best()
    encoding = best.encoding if best is not None else "cp1251"
    text = data.decode(encoding, errors="replace")
    # A Western file (cp1252: 'Müller') read so has Cyrillic letters inside Latin words.
    return data.decode("cp1252", errors="replace") if _mostly_mixed(text) else text


def _mostly_mixed(text: str) -> bool:
    """More words mixing Latin and Cyrillic letters ('Mьller') than Cyrillic words: a
    Western code page read as a Cyrillic one. (A Russian file has a stray Latin 'с' in a
    word at most, among thousands of Cyrillic words.)"""
    mixed = cyrillic = 0
    for word in _WORDS.findall(text[:200_000]):
        if any("\u0400" <= ch <= "\u04ff" for ch in word):
            if any(ch.isascii() for ch in word):
                mixed += 1
            else:
                cyrillic += 1
    return mixed > cyrillic


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV: ``_ONE_COLUMN`` when its header line holds none, so that a
    list of names alone keeps the commas in 'Петров, Иван'."""
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if lines and not any(d in lines[0] for d in _DELIMITERS):
        return _ONE_COLUMN
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_csv(data: bytes) -> Table:
    text = decode_text(data)
    delimiter = sniff_delimiter(text[:20_000])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows: Iterator[list[CellValue]] = (list(row) for row in reader)
        blank, head = _head(rows)
        table = _table(head, _chain(head, rows), [], first_row=1 + blank)
    except csv.Error as exc:
        raise InvalidInput(ErrorCode.IMPORT_NOT_SPREADSHEET) from exc
    if table is None:
        raise InvalidInput(ErrorCode.IMPORT_EMPTY)
    return table


# --- both -------------------------------------------------------------------------------


def _table(
    head: list[list[CellValue]],
    rows: Iterator[list[CellValue]],
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    first_row: int,
) -> Table | None:
    """The header (the first filled row) and the rows under it; None when no row is."""
    header_at = next((i for i, row in enumerate(head) if any(_filled(v) for v in row)), None)
    if header_at is None:
        return None
    headers = [unescaped(cell_text(v) or "") for v in head[header_at]]  # our CSV's "'=…"
    skip = header_at + 1
    spans = [m for m in merged if m[0][0] == header_at]
    for (_r0, c0), (_r1, c1) in spans:
        for column in range(c0 + 1, min(c1 + 1, len(headers))):
            headers[column] = headers[column] or headers[c0]
    if spans and header_at + 1 < len(head):
        under = [cell_text(v) or "" for v in head[header_at + 1]]
        grouped = {c for (_r, c0), (_r1, c1) in spans if c1 > c0 for c in range(c0, c1 + 1)}
        below = (v for row in head[header_at + 2 :] for v in row)  # the one client if none
        if _names_the_groups(under, headers, grouped) and any(_filled(v) for v in below):
            for column, name in enumerate(under[: len(headers)]):
                headers[column] = name or headers[column]
            skip += 1
    kept: list[list[CellValue]] = []
    numbers: list[int] = []
    width = len(headers)
    for index, row in enumerate(rows):
        if index < skip:
            continue
        if not any(_filled(v) for v in row):
            continue
        if len(kept) >= MAX_ROWS:
            raise InvalidInput(ErrorCode.IMPORT_TOO_MANY_ROWS, limit=MAX_ROWS)
        width = max(width, _last_filled(row))
        # Short texts repeat down a column (a city, a status, a manager): kept once.
        kept.append([sys.intern(v) if type(v) is str and len(v) <= 64 else v for v in row])
        numbers.append(first_row + index)
    used = [c for c in range(width) if (c < len(headers) and headers[c]) or _column_used(kept, c)]
    width = (used[-1] + 1) if used else 0
    headers = (headers + [""] * width)[:width]
    if not kept:
        return None  # a header, or a note, with nothing under it
    return Table(headers, [_fit(row, width) for row in kept], numbers=numbers)


def _names_the_groups(under: list[str], headers: list[str], grouped: set[int]) -> bool:
    """Whether the row under merged group titles is a second header row ('Контакт' over
    'Телефон', 'Почта'; maybe 'Сумма' under a one-column 'Сделка') rather than the first
    client: it names the grouped columns in words, and no cell of it holds what a
    client's row does, a digit (a phone, a sum, a date) or an '@'."""
    below = under + [""] * (len(headers) - len(under))
    names = [below[c] for c in grouped if c < len(below) and below[c]]
    if not names or not all(any(ch.isalpha() for ch in name) for name in names):
        return False
    return not any(any(ch.isdigit() or ch == "@" for ch in cell) for cell in below)


def _filled(value: CellValue) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _last_filled(row: list[CellValue]) -> int:
    for column in range(len(row) - 1, -1, -1):
        if _filled(row[column]):
            return column + 1
    return 0


def _column_used(rows: list[list[CellValue]], column: int) -> bool:
    return any(column < len(row) and _filled(row[column]) for row in rows)


def _fit(row: list[CellValue], width: int) -> list[CellValue]:
    cells = [None if isinstance(v, str) and not v.strip() else v for v in row[:width]]
    return cells + [None] * (width - len(cells))
