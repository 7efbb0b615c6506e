"""The file of rejected rows: the sent columns as they were, and a column saying why. Pure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from crm.exports.files import Column, Format, TableFile
from crm.imports.reading import Table
from crm.imports.rows import Rejected
from crm.parsing.cells import CellValue, cell_text


def rejected_file(
    table: Table,
    rejected: list[Rejected],
    reason_title: str,
    explain: Callable[[Rejected], str],
    fmt: Format = Format.CSV,
) -> bytes:
    """The rejected rows in the order of the file, to fix and send again."""
    columns = [Column(f"c{i}", name or f"#{i + 1}") for i, name in enumerate(table.headers)]
    columns.append(Column("reason", reason_title, width=40))
    file = TableFile(columns, fmt, UTC)
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
    phones on lines of one cell stay apart)."""
    return value if isinstance(value, str) else cell_text(value)
