"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import LooseMemberId as MemberId
from handlers.kit.callbacks import LooseRecordId as RecordId


class TaskAction(StrEnum):
    SHOW = "show"
    TIME = "time"
    PRIO = "prio"  # ``choice``: a priority; none: the question
    EARLY = "early"  # ``number``: minutes before; none: the question
    REPEAT = "repeat"  # ``choice``: a repeat; none: the question
    WHO = "who"  # ``number``: the page of the team
    ASSIGN = "assign"  # ``number``: the member
    DONE = "done"
    SNOOZE = "snooze"  # ``choice``: a Snooze


class Snooze(StrEnum):
    QUARTER = "15m"
    HOUR = "1h"
    TOMORROW = "tomorrow"


class TaskCb(CallbackData, prefix="tk"):
    """A button on a task or its reminder. ``choice`` is checked by the CRM (priority,
    repeat) or is a ``Snooze``; ``number`` is a member, a page or minutes."""

    action: TaskAction
    task_id: RecordId
    number: MemberId | None = None
    choice: str = ""


class NewTaskCb(CallbackData, prefix="tn"):
    """Starting a task from a client's or a deal's card (one of the two ids is set)."""

    client_id: RecordId = 0
    deal_id: RecordId = 0


class TasksAction(StrEnum):
    SHOW = "show"
    PICK = "pick"  # the member picker
    DONE = "done"


class TasksCb(CallbackData, prefix="tks"):
    """/tasks: ``who`` 0 is everyone's."""

    action: TasksAction
    who: MemberId = 0
    page: RecordId = 0
    task_id: RecordId = 0
