"""The file of rejected rows: the sent columns as they were, and a column saying why. Pure.

Written for the member's Excel as an export is (``crm.exports.files.CSV_STYLES``): for a
Russian reader ``;`` between fields and a decimal comma, for an English one ``,`` and a dot;
our import reads either back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from crm.exports.files import Column, Format, TableFile
from crm.imports.reading import Table
from crm.imports.rows import Rejected
from crm.parsing.cells import CellValue, cell_text


def rejected_file(
    table: Table,
    rejected: list[Rejected],
    reason_title: str,
    explain: Callable[[Rejected], str],
    language: str,
    fmt: Format = Format.CSV,
) -> bytes:
    """The rejected rows in the order of the file, to fix and send again, in the way of
    ``language``'s Excel."""
    columns = [Column(f"c{i}", name or f"#{i + 1}") for i, name in enumerate(table.headers)]
    columns.append(Column("reason", reason_title, width=40))
    file = TableFile(columns, fmt, UTC, language)
    position = {number: index for index, number in enumerate(table.numbers)}
    file.write(
        [*map(_as_sent, table.rows[position[r.number]]), explain(r)]
        for r in sorted(rejected, key=lambda r: r.number)
        if r.number in position
    )
    return file.finish()


def _as_sent(value: CellValue) -> CellValue:
    """A cell as the member saw it in their file: a phone stored as a number is 79161234567
    (read as 79161234567.0, which imports as a bad phone); text exactly as it was (several
    phones on lines of one cell stay apart). A fraction and a moment of a spreadsheet's cell
    are written as the reader's Excel reads them (``TableFile``: 7,5 or 7.5; a moment read
    without a zone is as it was shown)."""
    if isinstance(value, str) or (isinstance(value, float) and not value.is_integer()):
        return value
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    return cell_text(value)
