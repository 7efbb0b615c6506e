"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _
from pydantic import Field

from crm.exports.files import Format
from handlers.kit.callbacks import MemberId, Page, RecordId


class ImportAction(StrEnum):
    COLUMN = "col"  # choose where one column goes
    TARGET = "tgt"  # the choice for that column
    MAPPING = "map"  # back to the mapping
    PREVIEW = "pre"
    RUN = "run"  # with a duplicate policy in ``value``
    REQUIRED = "req"  # rows lacking a required field: ``value`` a RequiredChoice
    WHAT = "what"  # what the file holds: clients or records of which type?
    HOLDS = "holds"  # the answer: ``column`` a record type's id, 0 for clients
    REJECTED = "rej"  # nothing can be imported: the file of the rows refused, with why
    CANCEL = "no"


class ImportCb(CallbackData, prefix="imp"):
    action: ImportAction
    column: RecordId = 0  # a column's index, or a record type's id
    value: str = ""


class BatchAction(StrEnum):
    UNDO = "undo"
    UNDO_YES = "yes"
    LIST = "list"


class BatchCb(CallbackData, prefix="impb"):
    action: BatchAction
    batch_id: RecordId = 0
    page: Page = 0  # the page of /imports the press came from


class ExportWhat(StrEnum):
    CLIENTS = "clients"
    DEALS = "deals"
    TASKS = "tasks"
    RECORDS = "records"


class ExportAction(StrEnum):
    ASK = "ask"  # which format?
    FILE = "file"  # make the file in ``fmt``


class ExportCb(CallbackData, prefix="exp"):
    """An export of a list. From a list message (``from_list``) it holds what that list
    shows: the clients list's filters are remembered by its message's id, the deals
    overview's ride along as letters (``f``), the tasks list's member (``who``), a
    record list's type and view (``type_id``, ``archived``)."""

    what: ExportWhat
    action: ExportAction = ExportAction.FILE
    fmt: Format = Format.XLSX
    from_list: bool = False
    f: str = Field("", max_length=64)  # /deals checks its filters fit (deals/field_filters)
    who: MemberId = 0
    type_id: RecordId = 0
    archived: bool = False


def export_button(what: ExportWhat, **values: Any) -> InlineKeyboardButton:
    """The "⬇️ Export" button a list puts under itself."""
    data = ExportCb(what=what, action=ExportAction.ASK, from_list=True, **values)
    return InlineKeyboardButton(text=_("⬇️ Export"), callback_data=data.pack())
