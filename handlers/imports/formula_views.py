"""The warning on the import's mapping screen about formulas the file holds without their
results (``crm.imports.formulas``). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

COLUMNS_NAMED = 5


def formulas_warning(headers: Sequence[str], formulas: Sequence[Sequence[int]]) -> list[str]:
    """``formulas``: [column, cells, first row, last row] of each column with formulas the
    file has no results of; nothing when none has."""
    if not formulas:
        return []
    places = []
    for column, _cells, first, last in formulas[:COLUMNS_NAMED]:
        header = headers[column] if 0 <= column < len(headers) else ""
        name = header[:40] or _("column {number}").format(number=column + 1)
        place = (
            _("«{column}», rows {first}–{last}") if last > first else _("«{column}», row {first}")
        )
        places.append(place.format(column=name, first=first, last=last))
    if len(formulas) > COLUMNS_NAMED:
        places.append("…")
    cells = sum(f[1] for f in formulas)
    said = ngettext(
        "⚠️ {cells} cell holds a formula whose result the file does not have (it was saved "
        "by a program that does not compute formulas): {places}. It is read as empty or 0.",
        "⚠️ {cells} cells hold formulas whose results the file does not have (it was saved "
        "by a program that does not compute formulas): {places}. They are read as empty or 0.",
        cells,
    ).format(cells=cells, places="; ".join(places))
    fix = _(
        "To import the values, open the file in Excel or LibreOffice, save it and send it again."
    )
    return [f"\n\n{said} {fix}"]
