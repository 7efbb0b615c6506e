"""A group chat's announcements as they stand when sent: an overdue task done, cancelled or
moved on since it was queued is left out (the rest of its burst still goes); one still
overdue names whose it is."""

from __future__ import annotations

from typing import Any

from crm.outbox import OutboxKind
from crm.service import Crm
from handlers.kit.labels import responsible_name
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
    assignees = await crm.groups.still_overdue([items[i] for i in overdue]) if overdue else []
    gone = set()
    for i, assignee in zip(overdue, assignees, strict=True):
        if assignee is None:
            gone.add(i)
        else:  # whose it is, named as the team knows them now
            items[i] = dict(items[i], assignee=responsible_name(assignee))
    if len(gone) == len(items):
        return None  # nothing of it holds any more
    kept = [i for i in range(len(items)) if i not in gone]
    return Rendered(
        group_text(kind, {"items": [items[i] for i in kept], "kinds": [kinds[i] for i in kept]})
    )
