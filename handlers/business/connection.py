"""A member connects (or disconnects) their Telegram Business account: recorded, and told.

Only active members get this far: the ``AccessGate`` logs a stranger's
connection and stores nothing of it, but records the disconnection of one it keeps
(a member deactivated since), without a word to them.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import BusinessConnection

from crm.service import Crm
from handlers.business.views import connection_text
from handlers.kit.business_lookup import report_of
from handlers.kit.routes import Routes
from storage.models import User

log = logging.getLogger(__name__)

routes = Routes(__name__)


@routes.business_connection()
async def connection_changed(
    connection: BusinessConnection, bot: Bot, crm: Crm, member: User
) -> None:
    report = report_of(connection)
    change = await crm.business.record(member, report)
    log.info("business connection of member %s: %s", member.id, change.value)
    text = connection_text(change, report.rights, await crm.business.inbox_on())
    if text is not None:
        await bot.send_message(connection.user_chat_id, **text.as_kwargs())
