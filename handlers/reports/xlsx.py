"""A report as an Excel workbook: sheets of typed columns in, ``.xlsx`` bytes out.

Numbers stay numbers (money in whole currency units, shares as fractions with a
percent format) so the reader can sum and chart them; the caller gives every
title and header already in the reader's language.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "count", "money", "percent", "days"]
Value = str | int | float | None

FORMATS: dict[Kind, str] = {
    "text": "General",
    "count": "0",
    "money": "#,##0.00",  # the caller puts the currency in the header
    "percent": "0.0%",
    "days": "0.0",
}
MAX_TITLE = 31  # Excel's limit for a sheet name
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
# The control characters a cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Cell:
    """A value with its own kind, for a column whose rows differ (a summary's values)."""

    value: Value
    kind: Kind


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value | Cell]]


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook with one sheet per ``Sheet``, in order, headers bold and frozen.

    A money cell holds minor units (an ``int``) and is written in whole units.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    # Imported here, with the first report: openpyxl (and numpy under it) weigh some
    # 20 MB and a tenth of a second that the bot need not pay at startup.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    taken: set[str] = set()
    for sheet in sheets:
        page = book.create_sheet(_title(sheet.title, taken))
        page.append([column.header for column in sheet.columns])
        for cell in page[1]:
            cell.font = Font(bold=True)
        page.freeze_panes = "A2"
        for row_number, row in enumerate(sheet.rows, start=2):
            for column_number, (column, item) in enumerate(
                zip(sheet.columns, row, strict=True), start=1
            ):
                kind = item.kind if isinstance(item, Cell) else column.kind
                value = item.value if isinstance(item, Cell) else item
                target = page.cell(row=row_number, column=column_number, value=_value(value, kind))
                if target.data_type == "f":
                    # User text such as ``=HYPERLINK(…)`` stays text, never a formula.
                    target.data_type = "s"
                    target.quotePrefix = True
                target.number_format = FORMATS[kind]
        for number, column in enumerate(sheet.columns, start=1):
            longest = max([len(column.header), *(_width(row[number - 1]) for row in sheet.rows)])
            page.column_dimensions[get_column_letter(number)].width = min(longest + 2, MAX_WIDTH)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _value(value: Value, kind: Kind) -> Value:
    if kind == "money" and isinstance(value, int):
        return value / 100
    if isinstance(value, str):
        cleaned: str = ILLEGAL_CHARACTERS.sub("", value)  # control characters break the file
        return cleaned
    return value


def _width(item: Value | Cell) -> int:
    value = item.value if isinstance(item, Cell) else item
    return len(str(value)) if value is not None else 0


def _title(title: str, taken: set[str]) -> str:
    """A legal, unique sheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = _BAD_TITLE.sub(" ", title).strip().strip("'")[:MAX_TITLE] or "Sheet"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: MAX_TITLE - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name
