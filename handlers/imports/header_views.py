"""Notes on the import's mapping screen about the file's header: a title above it, passed
over (``Table.title``), no header at all (``Table.first_row``), and a header cell merged
over columns some of which go nowhere (``Table.merged``). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.imports.mapping import Target

TITLE_SHOWN = 64
MERGES_TOLD = 3


def title_note(title: str) -> list[str]:
    """Nothing when the file had no title above its header."""
    note = _(
        "ℹ️ «{title}» above the column names is taken for the file's title and is not "
        "imported; the columns' names are the row under it."
    )
    return _quoting(note, "title", title)


def others_note(sheet: str, others: list[str]) -> list[str]:
    """Nothing when the sheet read is the workbook's last with rows."""
    if not others:
        return []
    names = ", ".join(f"«{name}»" for name in others)
    note = _(
        "ℹ️ Only the sheet «{sheet}» is imported; the workbook's other sheets with rows "
        "({names}) are not. To import one of them, send it as a file of its own."
    )
    return [f"\n\n{note.format(sheet=sheet, names=names)}"]


def first_row_note(row: str, holds: str = "") -> list[str]:
    """Nothing when the file had a row of column names; ``holds``: the record type the
    file holds (``ImportData.holds``), when not clients."""
    note = _(
        "ℹ️ The file has no row of column names: its first row («{row}») is a client's and "
        "is imported too. Where each column goes is proposed by what it holds."
    )
    if holds:
        note = _(
            "ℹ️ The file has no row of column names: its first row («{row}») is one of the "
            "records ({holds}) and is imported too. Where each column goes is proposed by "
            "what it holds."
        )
    return _quoting(note, "row", row, holds=holds)


def _quoting(note: str, key: str, text: str, **more: str) -> list[str]:
    """The note with ``text`` (cut to ``TITLE_SHOWN``) as its ``key`` (and ``more``);
    nothing without it."""
    if not text:
        return []
    shown = text if len(text) <= TITLE_SHOWN else text[: TITLE_SHOWN - 1] + "…"
    return [f"\n\n{note.format(**{key: shown}, **more)}"]


def merged_note(
    headers: Sequence[str], mapping: Sequence[str], merged: Sequence[Sequence[int]]
) -> list[str]:
    """Each header cell merged over columns (first, last) whose first column goes somewhere
    and some others nowhere ('ФИО' over a name in four parts: a name has three): those
    are named, as they are left out of the import unless a person picks where they go."""
    notes = []
    for first, last in merged:
        if last >= len(mapping) or mapping[first] == Target.SKIP:
            continue
        skipped = [c + 1 for c in range(first + 1, last + 1) if mapping[c] == Target.SKIP]
        if not skipped:
            continue
        columns = ngettext(
            "column {numbers} under it goes nowhere",
            "columns {numbers} under it go nowhere",
            len(skipped),
        )
        note = _(
            "ℹ️ «{header}» is one cell over columns {first}–{last}: {columns}. Tap a "
            "column to choose where it goes."
        )
        notes.append(
            note.format(
                header=(headers[first] if first < len(headers) else "")[:40],
                first=first + 1,
                last=last + 1,
                columns=columns.format(numbers=", ".join(map(str, skipped))),
            )
        )
    return [f"\n\n{note}" for note in notes[:MERGES_TOLD]]
