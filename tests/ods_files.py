"""OpenDocument spreadsheets made by hand for the import's tests, as a program that does
not compute formulas writes them: a formula cell with no value type."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
    'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``value`` None: written without a result."""

    text: str
    value: float | None = None


@dataclass(frozen=True)
class Raw:
    """A cell or a row written as it is."""

    xml: str


Cell = str | float | Formula | Raw | None


def cell(value: Cell) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, Raw):
        return value.xml
    if isinstance(value, Formula):
        formula = f"table:formula={quoteattr(value.text)}"
        if value.value is None:
            return f"<table:table-cell {formula}/>"
        return (
            f'<table:table-cell {formula} office:value-type="float" office:value="{value.value}">'
            f"<text:p>{value.value}</text:p></table:table-cell>"
        )
    if isinstance(value, float | int):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return text_cell(value)


def text_cell(value: str) -> str:
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(value)}</text:p></table:table-cell>"
    )


def row(cells: list[Cell] | Raw) -> str:
    if isinstance(cells, Raw):
        return cells.xml
    return "<table:table-row>" + "".join(cell(v) for v in cells) + "</table:table-row>"


def ods(*sheets: tuple[str, list[list[Cell] | Raw]]) -> bytes:
    body = "".join(
        f"<table:table table:name={quoteattr(name)}>"
        + "".join(row(r) for r in rows)
        + "</table:table>"
        for name, rows in sheets
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NAMESPACES}>'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", content)
        book.writestr("META-INF/manifest.xml", MANIFEST)
    return buffer.getvalue()
