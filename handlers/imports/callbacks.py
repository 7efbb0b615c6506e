"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class ImportAction(StrEnum):
    COLUMN = "col"  # choose where one column goes
    TARGET = "tgt"  # the choice for that column
    MAPPING = "map"  # back to the mapping
    PREVIEW = "pre"
    RUN = "run"  # with a duplicate policy in ``value``
    CANCEL = "no"


class ImportCb(CallbackData, prefix="imp"):
    action: ImportAction
    column: int = 0
    value: str = ""


class BatchAction(StrEnum):
    UNDO = "undo"
    UNDO_YES = "yes"
    LIST = "list"


class BatchCb(CallbackData, prefix="impb"):
    action: BatchAction
    batch_id: int = 0


class ExportCb(CallbackData, prefix="exp"):
    what: str  # clients, deals or tasks
    fmt: str  # xlsx or csv
