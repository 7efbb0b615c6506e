"""Export screens: which list in which format. Pure."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.exports.files import Format
from handlers.clients.callbacks import ClientListCb, ListAction
from handlers.deals.callbacks import DealsAction, DealsCb
from handlers.imports.callbacks import ExportAction, ExportCb, ExportWhat
from handlers.kit.keyboards import button, keyboard
from handlers.kit.screen import Screen
from handlers.records.callbacks import Ent, EntCb
from handlers.tasks.callbacks import TasksAction, TasksCb
from storage.models import RecordType


def export_screen(types: list[RecordType]) -> Screen:
    """/export: each kind of list in each format."""
    kinds = [(ExportWhat.CLIENTS, 0, _("Clients")), (ExportWhat.DEALS, 0, _("Deals"))]
    kinds.append((ExportWhat.TASKS, 0, _("Tasks")))
    kinds += [(ExportWhat.RECORDS, t.id, f"{t.emoji} {t.plural}"[:40]) for t in types]
    rows = [
        [
            button(f"{label} · XLSX", ExportCb(what=what, type_id=type_id, fmt=Format.XLSX)),
            button(f"{label} · CSV", ExportCb(what=what, type_id=type_id, fmt=Format.CSV)),
        ]
        for what, type_id, label in kinds
    ]
    return Screen(Text(_("What to export? You get only what you can see.")), keyboard(*rows))


def export_choice_screen(data: ExportCb) -> Screen:
    """A list's "⬇️ Export": which format, and the way back to the list."""
    files = [
        button(label, data.model_copy(update={"action": ExportAction.FILE, "fmt": fmt}))
        for label, fmt in ((_("📊 Excel (.xlsx)"), Format.XLSX), (_("📄 CSV"), Format.CSV))
    ]
    text = Text(
        _(
            "Export this list: the file holds what the list shows, "
            "only what you can see. Which format?"
        )
    )
    return Screen(text, keyboard(files, [button(_("◀️ Back to the list"), _list_of(data))]))


def _list_of(data: ExportCb) -> CallbackData:
    if data.what == ExportWhat.DEALS:
        return DealsCb(action=DealsAction.SHOW, f=data.f)
    if data.what == ExportWhat.TASKS:
        return TasksCb(action=TasksAction.SHOW, who=data.who)
    if data.what == ExportWhat.RECORDS:
        return EntCb(action=Ent.LIST, type_id=data.type_id, item=int(data.archived))
    return ClientListCb(action=ListAction.PAGE)
