"""A card's open tasks: as lines of its text, and as buttons, one tap opening the task's
screen (issue 10, item 12)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Text, as_line

from crm import access
from handlers.kit.keyboards import button
from handlers.kit.timeline import shorten
from handlers.tasks.callbacks import TaskAction, TaskCb
from storage.models import Task, User

TASKS_SHOWN = 5
TASK_TITLE_SHOWN = 100  # of a task's title on the card's text (its button's: 40)


def task_lines(tasks: Sequence[Task], zone: tzinfo) -> list[Text]:
    """``• 03.03 10:00 call back`` per open task, for the card's "Open tasks"."""
    return [
        as_line(
            "• ",
            f"{task.due_at.astimezone(zone):%d.%m %H:%M}",
            " ",
            shorten(task.title, TASK_TITLE_SHOWN),
        )
        for task in tasks
    ]


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
