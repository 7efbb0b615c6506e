"""The task dialogs' steps and what each remembers between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from aiogram.fsm.state import State, StatesGroup

from handlers.kit.dialogs import DialogData


class TaskFlow(StatesGroup):
    text = State()  # when and what, in one message
    when = State()  # only the when: the title is known
    time = State()  # the time of a day already named
    title = State()  # only the what: the when is known


@dataclass
class NewTask(DialogData):
    """A task being written: for a client or a deal (0: none), when, what."""

    client_id: int = 0
    deal_id: int = 0
    due: datetime | None = None
    day: date | None = None  # named without a time: the time is asked next
    title: str | None = None
    on_open_card: bool = False  # /task took the open card: the answer names it, and may detach


class TaskEditFlow(StatesGroup):
    when = State()
    title = State()  # the task's new text
    link = State()  # a search for the client to hang it off


@dataclass
class OneTask(DialogData):
    """A task's new time: which task, and the day if named without a time."""

    task_id: int = 0
    day: date | None = None
