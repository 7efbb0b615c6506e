"""A group chat's announcements as they stand when sent: an overdue task done, cancelled or
moved on since it was queued is left out (the rest of its burst still goes)."""

from __future__ import annotations

from typing import Any

from crm.outbox import OutboxKind
from crm.service import Crm
from reminders.group_views import group_text
from reminders.render_types import Rendered


async def group_news(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    if await crm.groups.get(chat_id) is None:
        return None  # unbound meanwhile
    items = list(payload.get("items") or [payload])
    kinds = list(payload.get("kinds") or [kind])
    overdue = [i for i, item_kind in enumerate(kinds) if item_kind == OutboxKind.GROUP_TASK_OVERDUE]
    tasks = await crm.groups.still_overdue([items[i] for i in overdue]) if overdue else []
    gone = {i for i, task in zip(overdue, tasks, strict=True) if task is None}
    if len(gone) == len(items):
        return None  # nothing of it holds any more
    kept = [i for i in range(len(items)) if i not in gone]
    return Rendered(
        group_text(kind, {"items": [items[i] for i in kept], "kinds": [kinds[i] for i in kept]})
    )
