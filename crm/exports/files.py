"""Writing a table to .xlsx (constant memory) or to .csv that the reader's Excel opens. Pure I/O.

XLSX: the header row frozen, an autofilter over the data, column widths,
dates as real dates, money as numbers with two decimals. CSV: UTF-8 with a
BOM, in the reader's language's way (``CsvStyle``): for Russian Excel ``;``
between fields, decimals with a comma and dates as ``dd.mm.yyyy``; for English
Excel ``,`` between fields, decimals with a dot and dates as ``yyyy-mm-dd`` (which
it reads as dates, where ``05.03.2026`` stays text). A text that starts like a
formula goes after a ``'`` (``escaped``), so that no spreadsheet runs it. The
import reads either back (it sniffs the delimiter and takes both decimal marks).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any

import xlsxwriter

# A CSV cell starting with one of these is run as a formula by Excel and its kin
# (CSV injection: =HYPERLINK(…) in a client's name). XLSX cells are typed, so safe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


PLAIN_NUMBER = re.compile(r"[+-]?[\d ().]+")
"""A phone (``+79161234567``, ``+7 (916) 1234567``) or a signed number: nothing a
spreadsheet could run. A sign inside is a sum Excel works out: ``+7-916-123-45-67``
opens as -1144, so such a text goes out after the quote."""


def escaped(text: str) -> str:
    """Text for a CSV cell: after a ``'`` when it starts like a formula (OWASP's advice;
    Excel shows the cell as text). Not a phone or a number: the quote would show."""
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescaped(text: str) -> str:
    """The text ``escaped`` was given: an exported or rejected-rows CSV imports as it was."""
    return text[1:] if text[:1] == "'" and text.startswith(FORMULA_STARTS, 1) else text


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"  # minor units in, a number of major units out
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class CsvStyle:
    delimiter: str
    decimal: str
    day: str
    moment: str


CSV_STYLES = {
    "ru": CsvStyle(";", ",", "%d.%m.%Y", "%d.%m.%Y %H:%M"),
    "en": CsvStyle(",", ".", "%Y-%m-%d", "%Y-%m-%d %H:%M"),
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind = Kind.TEXT
    width: int = 18


class TableFile:
    """Rows written as they come (a database stream), the file finished at the end."""

    def __init__(
        self, columns: Sequence[Column], fmt: Format, zone: tzinfo, language: str = "ru"
    ) -> None:
        self.columns = list(columns)
        self.format = fmt
        self.rows = 0
        self._zone = zone
        self._style = CSV_STYLES.get(language, CSV_STYLES["ru"])
        self._csv: io.StringIO | None = None
        self._path: str | None = None
        if fmt == Format.CSV:
            self._csv = io.StringIO()
            delimiter = self._style.delimiter
            self._writer = csv.writer(self._csv, delimiter=delimiter, lineterminator="\r\n")
            self._writer.writerow([escaped(c.title) for c in self.columns])
        else:
            self._open_book()

    def _open_book(self) -> None:
        handle, self._path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        options = {"constant_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
        self._book = xlsxwriter.Workbook(self._path, options)
        self._sheet = self._book.add_worksheet()
        bold = self._book.add_format({"bold": True})
        self._formats = {
            Kind.DATE: self._book.add_format({"num_format": "dd.mm.yyyy"}),
            Kind.DATETIME: self._book.add_format({"num_format": "dd.mm.yyyy hh:mm"}),
            Kind.MONEY: self._book.add_format({"num_format": "#,##0.00"}),
        }
        for index, column in enumerate(self.columns):
            self._sheet.set_column(index, index, column.width)
            self._sheet.write_string(0, index, column.title, bold)
        self._sheet.freeze_panes(1, 0)

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.rows += 1
            cells = zip(self.columns, row, strict=True)
            if self._csv is not None:
                self._writer.writerow([self._csv_value(c, v) for c, v in cells])
            else:
                for index, (column, value) in enumerate(cells):
                    self._cell(self.rows, index, column, value)

    def finish(self) -> bytes:
        if self._csv is not None:
            return b"\xef\xbb\xbf" + self._csv.getvalue().encode("utf-8")
        assert self._path is not None
        try:
            last = max(len(self.columns) - 1, 0)
            self._sheet.autofilter(0, 0, max(self.rows, 1), last)
            self._book.close()
            with open(self._path, "rb") as file:
                return file.read()
        finally:
            os.unlink(self._path)

    def _csv_value(self, column: Column, value: Any) -> str:
        style = self._style
        if value is None:
            return ""
        if column.kind == Kind.MONEY:
            return f"{Decimal(int(value)) / 100:.2f}".replace(".", style.decimal)
        if isinstance(value, datetime):
            local = _local(value, self._zone)
            return local.strftime(style.day if column.kind == Kind.DATE else style.moment)
        if isinstance(value, date):
            return value.strftime(style.day)
        if isinstance(value, float):  # "7.5" is 7 May to Russian Excel: a decimal comma
            return f"{Decimal(repr(value)):f}".replace(".", style.decimal)
        return escaped(value) if isinstance(value, str) else str(value)

    def _cell(self, row: int, col: int, column: Column, value: Any) -> None:
        if value is None or value == "":
            return
        sheet = self._sheet
        if column.kind == Kind.MONEY:
            sheet.write_number(row, col, int(value) / 100, self._formats[Kind.MONEY])
        elif column.kind == Kind.NUMBER and isinstance(value, int | float):
            sheet.write_number(row, col, value)
        elif isinstance(value, datetime):
            style = self._formats.get(column.kind, self._formats[Kind.DATETIME])
            sheet.write_datetime(row, col, _local(value, self._zone), style)
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
            sheet.write_datetime(row, col, moment, self._formats[Kind.DATE])
        else:
            sheet.write_string(row, col, str(value)[:32_767])


def _local(value: datetime, zone: tzinfo) -> datetime:
    return value.astimezone(zone).replace(tzinfo=None)
