"""A member told of their new role, or of their access turned off or back on, or of the
reminders missed while they had blocked the bot or were away.

Rendered from the member as they are when it is sent: a notice another change has
overtaken (made admin, then manager again, before the first was sent) says nothing;
the later one tells. Each comes with the menu the member now has (none when turned off).
"""

from __future__ import annotations

from typing import Any

from aiogram.types import ReplyKeyboardRemove

from crm.outbox import OutboxKind
from crm.service import Crm
from handlers.kit.keyboards import main_menu
from handlers.team.notices import access_changed, reachable_again, role_changed
from reminders.render_types import Rendered
from storage.models import Task, User


async def member_changed(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    reader = await crm.members.get_active(chat_id)
    if kind == OutboxKind.ROLE_CHANGED:
        if reader is None or reader.role != payload.get("role"):
            return None
        return Rendered(role_changed(reader.role), main_menu(reader))
    if not payload.get("active"):
        if reader is not None:
            return None  # back on meanwhile
        return Rendered(access_changed(False, ""), ReplyKeyboardRemove(remove_keyboard=True))
    if reader is None:
        return None  # off again meanwhile
    missed = await _still_missed(crm, reader, payload)
    text = access_changed(True, reader.role, missed, reader.timezone)
    return Rendered(text, main_menu(reader))


async def missed_reminders(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    """The reminders that fell due while the member had blocked the bot (or, ``rejoined``
    by a new invitation, was away), as they are now: nothing when none is still open and
    still theirs, or they were turned off meanwhile."""
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None
    missed = await _still_missed(crm, reader, payload)
    if not missed:
        return None
    return Rendered(reachable_again(missed, reader.timezone, bool(payload.get("rejoined"))))


async def _still_missed(crm: Crm, reader: User, payload: dict[str, Any]) -> list[Task]:
    """Of the tasks the notice names as missed, those still open and still ``reader``'s."""
    ids = [int(task_id) for task_id in payload.get("missed") or []]
    return await crm.missed_reminders.still_theirs(reader.id, ids)
