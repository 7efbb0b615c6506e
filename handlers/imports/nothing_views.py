"""The preview of a file no row of which can be imported: no duplicates' question, only
the file of the rows refused (with why), the columns, or cancel."""

from __future__ import annotations

from aiogram.utils.formatting import Bold, Text
from aiogram.utils.i18n import gettext as _

from crm.imports.preview import Preview
from handlers.imports.callbacks import ImportAction, ImportCb
from handlers.kit.keyboards import button, keyboard
from handlers.kit.screen import Screen


def nothing_screen(file_name: str, preview: Preview) -> Screen:
    """No row of the file can be imported: the file of the rows refused, with why."""
    text = Text(
        Bold(_("Preview of {file}").format(file=file_name)),
        "\n\n",
        _(
            "Nothing in this file can be imported: not one of its rows can be read (rows: {n})."
        ).format(n=preview.rows),
    )
    rows = [[button(_("Cancel"), ImportCb(action=ImportAction.CANCEL))]]
    if preview.refused:
        why = button(_("Rejected rows, with why"), ImportCb(action=ImportAction.REJECTED))
        rows.insert(0, [why])
    rows.insert(-1, [button(_("« Columns"), ImportCb(action=ImportAction.MAPPING))])
    return Screen(text, keyboard(*rows))
