"""A card's open tasks as buttons: one tap opens the task's screen (issue 10, item 12)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from crm import access
from handlers.kit.keyboards import button
from handlers.kit.timeline import shorten
from handlers.tasks.callbacks import TaskAction, TaskCb
from storage.models import Task, User

TASKS_SHOWN = 5


def task_rows(tasks: Sequence[Task], reader: User) -> list[list[InlineKeyboardButton]]:
    """``☑️ 03.03 10:00 call back``, one row per open task the reader may open."""
    zone = ZoneInfo(reader.timezone)
    mine = [
        task
        for task in tasks
        if access.is_staff(reader) or reader.id in (task.assignee_id, task.created_by)
    ]
    return [
        [
            button(
                f"☑️ {task.due_at.astimezone(zone):%d.%m %H:%M} {shorten(task.title, 40)}",
                TaskCb(action=TaskAction.OPEN, task_id=task.id),
            )
        ]
        for task in mine[:TASKS_SHOWN]
    ]


def with_task_rows(
    markup: InlineKeyboardMarkup, tasks: Sequence[Task], reader: User
) -> InlineKeyboardMarkup:
    """The card's keyboard with its tasks' rows before its last row (the way back)."""
    rows = list(markup.inline_keyboard)
    at = max(len(rows) - 1, 0)
    return InlineKeyboardMarkup(inline_keyboard=[*rows[:at], *task_rows(tasks, reader), *rows[at:]])
