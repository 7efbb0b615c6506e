"""A CSV file's text and rows: its encoding, its delimiter, and a quote left open.

The encoding is detected (UTF-8 with or without BOM, UTF-16, cp1251, koi8-r, cp866) and
the delimiter sniffed. A quote that opens a cell and is never closed where a cell ends
would make the rest of the file one cell (Python's csv module reads it so, as Excel
does): the file is refused, naming the line the quote opens on. A quoted cell with line
breaks inside that is closed is read as one cell, as it should; but one that takes in
two lines or more holding a row's delimiters each is a stray quote closed by chance far
below (spreadsheets join those rows into one cell too), refused with the lines it runs
over rather than imported as one wrong row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator

import charset_normalizer

from crm.errors import ErrorCode, InvalidInput
from crm.imports.mapping import Target, guess

_DELIMITERS = ";,\t"
ONE_COLUMN = "\0"  # a delimiter no text has: each line is one cell
_CYRILLIC = ["cp1251", "koi8_r", "cp866"]  # what a CSV not in UTF-8 is guessed to be in
_WORDS = re.compile(r"[^\W\d_]+")
_QUOTE = '"'
_ENDS = ("", "\r", "\n", "\r\n")


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


def sniff(sample: str) -> tuple[str, int]:
    """The delimiter of a CSV and how many title lines come above its header.

    ``ONE_COLUMN`` when its header line holds none, so that a list of names alone keeps
    the commas in 'Петров, Иван'. A line or a few with no delimiter above rows that all
    have one ('Клиенты 2026' over 'ФИО;Телефон;Город') are a title: the delimiter is the
    rows', and the title lines are told apart (a file read so was one column of
    'ФИО;Телефон;Город'). The rows must show they are a table, under a header naming a
    column the import knows, and the title must not be one ('ФИО' over 'Петров, Иван'
    is a list of names)."""
    lines = [line for line in sample.splitlines()[:_SNIFF_LINES] if line.strip()]
    titles = next(
        (i for i, line in enumerate(lines) if any(d in line for d in _DELIMITERS)), len(lines)
    )
    if not titles:
        return _sniffed(lines), 0
    if titles > _TITLE_LINES or titles == len(lines):
        return ONE_COLUMN, 0
    if any(guess(line) != Target.SKIP for line in lines[:titles]):
        return ONE_COLUMN, 0  # 'ФИО' over names with commas: a column's name, no title
    delimiter = _sniffed(lines[titles:])
    return (delimiter, titles) if _a_table(lines[titles:], delimiter) else (ONE_COLUMN, 0)


_SNIFF_LINES = 20
_TITLE_LINES = 3  # lines with no delimiter above a table's header taken for its title


def _sniffed(lines: list[str]) -> str:
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _a_table(lines: list[str], delimiter: str) -> bool:
    """Whether the lines under a title are a table's: two rows or more, each of two cells
    or more, under a header naming a column the import knows."""
    rows = [row for row in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in row)]
    if len(rows) < 2 or any(len(row) < 2 for row in rows[:-1]):  # the last may be cut
        return False
    return any(guess(cell) != Target.SKIP for cell in rows[0])


def csv_rows(
    text: str, delimiter: str, started: Callable[[int], None] | None = None
) -> Iterator[list[str]]:
    """The rows of the text, as ``csv.reader`` reads them; ``InvalidInput`` with
    ``import_unclosed_quote`` and the line (from 1) where a quoted cell opens that runs
    past its line and is not closed where a cell ends. ``started`` is told the line (from
    1) each row starts on before the row is yielded: after a quoted cell with line breaks
    in it, a row's line is not its place among the rows."""
    held: list[str] = []  # the lines of the row being read

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            held.append(line)
            yield line

    first = 1  # the line the row starts on
    width = 0  # the cells of the first row with two or more: the header's
    reader = csv.reader(lines(), delimiter=delimiter)
    while True:
        try:
            row = next(reader, None)
        except csv.Error:
            # A quote left open makes the rest of a longer file one cell, past what csv
            # takes in one (128 KiB): told as the quote, not as a file that is no table.
            _refuse_open_quote(held, delimiter, first)
            raise
        if row is None:
            return
        if len(held) > 1:  # a quoted cell with a line break in it, closed or not
            _refuse_open_quote(held, delimiter, first, width)
        width = width or (len(row) if len(row) > 1 else 0)
        if started is not None:
            started(first)
        first += len(held)
        held.clear()
        yield row


def _refuse_open_quote(held: list[str], delimiter: str, first: int, width: int = 0) -> None:
    spans: list[Span] = []
    opened = quote_left_open(held, delimiter, spans)
    if opened is not None:
        raise InvalidInput(ErrorCode.IMPORT_UNCLOSED_QUOTE, line=first + opened)
    for span in spans:
        if swallows_rows(held, span, delimiter, width):
            start, end, _ = span
            raise InvalidInput(ErrorCode.IMPORT_STRAY_QUOTE, line=first + start, end=first + end)


Span = tuple[int, int, int]  # the lines a quoted cell opens and closes on, where it closes
_ROW_LINES = 2  # lines of a quoted cell that read as rows, making it a stray quote
_ROW_DELIMITERS = 2  # the fewest delimiters such a line holds (a note's "a, b" is no row)


def swallows_rows(lines: list[str], span: Span, delimiter: str, width: int) -> bool:
    """Whether the quoted cell ``span`` holds two lines or more (after its first) that
    each have as many delimiters as a row of ``width`` cells does, two at least: rows
    taken in by a stray quote, not a note's lines."""
    start, end, closing = span
    need = max(width - 1, _ROW_DELIMITERS)
    inside = [*lines[start + 1 : end], lines[end][:closing]]
    return sum(line.count(delimiter) >= need for line in inside) >= _ROW_LINES


def quote_left_open(
    lines: list[str], delimiter: str, spans: list[Span] | None = None
) -> int | None:
    """Which of a row's lines opens a quoted cell that goes on past the line's end and is
    not closed by a quote followed by the delimiter or the line's end (spaces may come
    between), or is not closed at all; None when every such cell is closed so. Each
    quoted cell over several lines closed so is added to ``spans``.

    A quoted cell on one line that is closed wrong ('"ООО "Ромашка""') takes no other
    line in: csv reads it as best it can, and so does the import."""
    opened: int | None = None  # the line of the quoted cell that runs on, while it does
    for index, line in enumerate(lines):
        at = 0
        if opened is not None:
            closed = _closing(line, 0)
            if closed < 0:
                continue  # the cell runs on through this line too
            if line[closed + 1 :].lstrip(" ")[:1] not in (delimiter, *_ENDS):
                return opened
            if spans is not None:
                spans.append((opened, index, closed))
            opened, at = None, closed + 1
        while at < len(line):  # each cell that starts on this line
            if line[at] != _QUOTE:
                at = _next_cell(line, at, delimiter)
                continue
            closed = _closing(line, at + 1)
            if closed < 0:
                opened = index
                break
            at = _next_cell(line, closed + 1, delimiter)
    return opened


def _closing(line: str, at: int) -> int:
    """Where the quote closing a quoted cell is, looking from ``at`` ("" is a quote in
    it); -1 when the line has none."""
    while (found := line.find(_QUOTE, at)) >= 0 and line[found + 1 : found + 2] == _QUOTE:
        at = found + 2
    return found


def _next_cell(line: str, at: int, delimiter: str) -> int:
    """Where the cell after the one ``at`` is in starts; past the line when none does."""
    found = line.find(delimiter, at)
    return found + 1 if found >= 0 else len(line)
