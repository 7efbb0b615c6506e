"""The import dialog: the sent file (by Telegram file id) and the columns' targets."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from aiogram.fsm.state import State, StatesGroup


class ImportDialog(StatesGroup):
    mapping = State()


class ImportData(TypedDict):
    file_id: str
    file_name: str
    headers: list[str]
    mapping: list[str]
    fields: dict[str, str]  # the team's client and deal fields: ``field_<id>`` → label
    may_define: bool  # may make new fields (the owner)
    type_id: NotRequired[int]  # the file holds records of this type (0 or none: clients)
    holds: NotRequired[str]  # what the file holds, as the mapping screen says it
    joined: NotRequired[list[list[int]]]  # header cells merged over a name in parts
    formulas: NotRequired[list[list[int]]]  # [column, cells, first, last]: no results
    title: NotRequired[str]  # a title above the header, passed over
    sheet: NotRequired[str]  # the sheet read, named when others are not imported
    others: NotRequired[list[str]]  # the workbook's later sheets with rows, not imported
    merged: NotRequired[list[list[int]]]  # header cells merged over columns: first, last
    hints: NotRequired[list[str]]  # no header: each column's target by what it holds
    first_row: NotRequired[str]  # no header: the first row, a client's, imported too
    screen: NotRequired[int]  # the message showing the dialog: others' buttons are stale
    required: NotRequired[str]  # rows lacking a required field: a RequiredChoice, once chosen
