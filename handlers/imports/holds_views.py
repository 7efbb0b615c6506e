"""Pure parts of the import's screens kept apart from views.py: what the file holds, and
the note under a mapping too wide to show every column."""

from __future__ import annotations

from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from handlers.imports.callbacks import ImportAction, ImportCb
from handlers.kit.keyboards import button, keyboard
from handlers.kit.screen import Screen
from storage.models import RecordType


def hidden_columns(total: int, shown: int) -> list[str]:
    """Under a file of more than ``shown`` columns: the others have no button; those listed
    anyway go where their names say, the rest are skipped, said rather than left unseen."""
    if total <= shown:
        return []
    note = ngettext(
        "Only the first {shown} of the file's {total} column can be changed here. "
        "Of the others, those listed go where shown; the rest are skipped.",
        "Only the first {shown} of the file's {total} columns can be changed here. "
        "Of the others, those listed go where shown; the rest are skipped.",
        total,  # "из 21 столбца", "из 22 столбцов"
    )
    return ["\n" + note.format(shown=shown, total=total)]


def holds_screen(types: list[RecordType]) -> Screen:
    """What the sent file holds: clients (with their deals) or records of one type."""
    holds = ImportAction.HOLDS
    rows = [[button(_("👤 Clients and deals"), ImportCb(action=holds, column=0))]]
    rows += [
        [button(f"{t.emoji} {t.plural}"[:40], ImportCb(action=holds, column=t.id))] for t in types
    ]
    rows.append([button(_("« Back"), ImportCb(action=ImportAction.MAPPING))])
    return Screen(Text(_("What does the file hold?")), keyboard(*rows))
