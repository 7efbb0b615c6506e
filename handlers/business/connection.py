"""A member connects (or disconnects) their Telegram Business account: recorded, and told.

Only active members get this far: the ``AccessGate`` logs a stranger's
connection and stores nothing of it.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import BusinessConnection

from crm.business.connections import ConnectionReport
from crm.service import Crm
from handlers.business.views import connection_text
from handlers.kit.routes import Routes
from storage.models import User

log = logging.getLogger(__name__)

routes = Routes(__name__)


def rights_of(connection: BusinessConnection) -> dict[str, bool]:
    """The rights Telegram gave the bot, as plain flags (``can_reply`` before Bot API 9.0).
    Telegram leaves out a right the bot does not have: it is stored as False."""
    if connection.rights is not None:
        flags = connection.rights.model_dump()
        return {name: bool(value) for name, value in flags.items() if name.startswith("can_")}
    return {"can_reply": bool(connection.can_reply)}


@routes.business_connection()
async def connection_changed(
    connection: BusinessConnection, bot: Bot, crm: Crm, member: User
) -> None:
    report = ConnectionReport(
        id=connection.id,
        user_id=connection.user.id,
        user_chat_id=connection.user_chat_id,
        enabled=connection.is_enabled,
        rights=rights_of(connection),
    )
    change = await crm.business.record(member, report)
    log.info("business connection of member %s: %s", member.id, change.value)
    text = connection_text(change, report.rights, await crm.business.inbox_on())
    if text is not None:
        await bot.send_message(connection.user_chat_id, **text.as_kwargs())
