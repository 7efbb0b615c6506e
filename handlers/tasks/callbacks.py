"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class TaskCb(CallbackData, prefix="tk"):
    """A button on a task or its reminder: done, snooze (value: 15m, 1h, tomorrow), open…"""

    action: str
    task_id: int
    value: str = ""


class NewTaskCb(CallbackData, prefix="tn"):
    """Starting a task from a client's or a deal's card (one of the two ids is set)."""

    client_id: int = 0
    deal_id: int = 0


class TasksCb(CallbackData, prefix="tks"):
    """/tasks: ``action`` show, pick (the member picker) or done; ``who`` 0 is everyone's."""

    action: str
    who: int = 0
    page: int = 0
    task_id: int = 0
