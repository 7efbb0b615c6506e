"""A member told of their new role, or of their access turned off or back on.

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
from handlers.team.notices import access_changed, role_changed
from reminders.render_types import Rendered


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
    ids = [int(task_id) for task_id in payload.get("missed") or []]
    missed = await crm.missed_reminders.still_theirs(reader.id, ids)
    text = access_changed(True, reader.role, missed, reader.timezone)
    return Rendered(text, main_menu(reader))
