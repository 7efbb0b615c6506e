"""The note on the import's mapping screen about a title above the file's header, passed
over (``Table.title``). Pure."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

TITLE_SHOWN = 64


def title_note(title: str) -> list[str]:
    """Nothing when the file had no title above its header."""
    if not title:
        return []
    shown = title if len(title) <= TITLE_SHOWN else title[: TITLE_SHOWN - 1] + "…"
    note = _(
        "ℹ️ «{title}» above the column names is taken for the file's title and is not "
        "imported; the columns' names are the row under it."
    )
    return [f"\n\n{note.format(title=shown)}"]
