"""/imports screens: the batches and the undo question. Pure."""

from __future__ import annotations

from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.imports.batch_row import INTERRUPTED, STOPPED
from crm.imports.undo import Undone
from handlers.imports.callbacks import BatchAction, BatchCb
from handlers.kit.keyboards import button, keyboard, pager
from handlers.kit.screen import Screen, clipped
from storage.models import ImportBatch

PER_PAGE = 20  # imports to a page of /imports
NAME_SHOWN = 60  # a file's and a member's name on the list: 20 lines stay within a message


def batches_screen(
    batches: list[ImportBatch], names: dict[int, str], page: int = 0, pages: int = 1
) -> Screen:
    """A page of the imports, each undoable one with its button."""
    if not batches:
        return Screen(Text(_("No imports yet. Send a spreadsheet to import clients.")))
    lines = []
    rows = []
    for batch in batches:
        lines.append(
            as_line(
                f"#{batch.id} ",
                Bold(clipped(batch.file_name, NAME_SHOWN)),
                f" — {clipped(names.get(batch.created_by, ''), NAME_SHOWN)}, "
                f"{batch.created_at:%d.%m.%Y %H:%M} UTC: {_state(batch)}",
            )
        )
        if batch.undone_at is None and batch.finished_at is not None:
            rows.append(
                [
                    button(
                        _("Undo #{id}").format(id=batch.id),
                        BatchCb(action=BatchAction.UNDO, batch_id=batch.id, page=page),
                    )
                ]
            )
    rows.append(pager(page, pages, lambda to: BatchCb(action=BatchAction.LIST, page=to)))
    return Screen(Text(Bold(_("Imports")), "\n\n", *lines), keyboard(*rows) if any(rows) else None)


def _state(batch: ImportBatch) -> str:
    """Where the import is: running, undone, or what it stored (interrupted or not)."""
    counts = batch.counts or {}
    if batch.undone_at:
        return _("undone")
    if batch.finished_at is None:
        return _("running")
    if counts.get(STOPPED) and "rejected" not in counts:  # stopped before its rows were read
        stored = _("interrupted when the bot stopped; created {c}, updated {u}")
    elif counts.get(STOPPED):
        stored = _("interrupted when the bot stopped; created {c}, updated {u}, rejected {r}")
    elif counts.get(INTERRUPTED):
        stored = _("interrupted by an error; created {c}, updated {u}, rejected {r}")
    else:
        stored = _("created {c}, updated {u}, rejected {r}")
    return stored.format(
        c=counts.get("created", 0), u=counts.get("updated", 0), r=counts.get("rejected", 0)
    )


def undo_confirm_screen(batch: ImportBatch, page: int = 0) -> Screen:
    text = Text(
        _(
            "Undo the import of {file}? The cards it created are deleted, the fields it "
            "filled in are cleared again and the links it made are removed."
        ).format(file=batch.file_name)
    )
    return Screen(
        text,
        keyboard(
            [
                button(_("Yes, undo"), BatchCb(action=BatchAction.UNDO_YES, batch_id=batch.id)),
                button(_("No"), BatchCb(action=BatchAction.LIST, page=page)),
            ]
        ),
    )


def undone_text(done: Undone) -> str:
    """What the undo removed and gave back, and what became of the fields it defined."""
    cards = ngettext("{n} card removed", "{n} cards removed", done.removed)
    restored = ngettext("{n} restored", "{n} restored", done.restored)
    deals = ngettext("{n} deal removed", "{n} deals removed", done.deals)
    parts = [
        _("Import undone: {cards}, {restored}, {deals}.").format(
            cards=cards.format(n=done.removed),
            restored=restored.format(n=done.restored),
            deals=deals.format(n=done.deals),
        )
    ]
    if done.links:
        parts.append(_("Links removed: {n}.").format(n=done.links))
    if done.fields:
        parts.append(
            (  # one or several, not a count's plural form (Russian's "one" form takes 21)
                _("The field {names} it made is deleted too: no card holds a value of it.")
                if len(done.fields) == 1
                else _("The fields {names} it made are deleted too: no card holds a value of them.")
            ).format(names=_quoted(done.fields))
        )
    if done.kept:
        parts.append(
            (
                _("The field {names} it made stays: cards hold values of it.")
                if len(done.kept) == 1
                else _("The fields {names} it made stay: cards hold values of them.")
            ).format(names=_quoted(done.kept))
        )
    return " ".join(parts)


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(_("“{name}”").format(name=name) for name in names)
