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
    OPEN = "open"  # from a card or a list: the task's screen
    TITLE = "title"  # the question for its new text
    LINK = "link"  # the question for a client or deal to hang it off
    LINK_CLIENT = "link_client"  # ``item``: a found client; its deals to choose from
    ATTACH = "attach"  # ``choice``: Attach; ``item``: the client or deal
    CANCEL = "cancel"  # the question "cancel it?"
    CANCEL_YES = "cancel_yes"


class Attach(StrEnum):
    CLIENT = "c"
    DEAL = "d"
    NOTHING = "none"


class Snooze(StrEnum):
    QUARTER = "15m"
    HOUR = "1h"
    TOMORROW = "tomorrow"


class TaskCb(CallbackData, prefix="tk"):
    """A button on a task or its reminder. ``choice`` is checked by the CRM (priority,
    repeat) or is a ``Snooze`` or an ``Attach``; ``number`` is a member, a page or minutes;
    ``item`` a client or a deal."""

    action: TaskAction
    task_id: RecordId
    number: MemberId | None = None
    choice: str = ""
    item: RecordId = 0


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
