"""Whose a Business connection is, asked of Telegram when the bot does not know it enabled.

Telegram reports a connection once, when it is made or changed. A member who connected
the bot to their account before joining the team was refused then (nothing of a
stranger is kept), and the connection stayed unknown: every message of its chats was
dropped, while Telegram had nothing more to say. A chat update of a connection with no
row at all is therefore answered by asking Telegram (``getBusinessConnection``): an
enabled connection of an active member is recorded as if reported, and the update goes
on as theirs. A stranger's is not kept, only remembered in the process for a while, so
their chats do not cost a request each (unless the stranger has since joined). So is a
connection recorded as disabled whose chats still come: its member disconnected it while
deactivated (recorded) and connected it again (refused: not a member then). Telegram's
"disabled" about an active member's connection is remembered as long: connecting it again
is reported (``business_connection``), so nothing is missed by not asking at each message.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BusinessConnection

from crm.business.connections import ConnectionReport
from crm.service import Crm
from storage.models import User

log = logging.getLogger(__name__)

RECHECK = timedelta(minutes=10)
REMEMBERED = 1000


def rights_of(connection: BusinessConnection) -> dict[str, bool]:
    """The rights Telegram gave the bot, as plain flags (``can_reply`` before Bot API 9.0).
    Telegram leaves out a right the bot does not have: it is stored as False."""
    if connection.rights is not None:
        flags = connection.rights.model_dump()
        return {name: bool(value) for name, value in flags.items() if name.startswith("can_")}
    return {"can_reply": bool(connection.can_reply)}


def report_of(connection: BusinessConnection) -> ConnectionReport:
    return ConnectionReport(
        id=connection.id,
        user_id=connection.user.id,
        user_chat_id=connection.user_chat_id,
        enabled=connection.is_enabled,
        rights=rights_of(connection),
    )


class ConnectionLookup:
    """Connections asked about lately and not taken: the id, whose it is (None: Telegram
    did not say), whether Telegram said it was enabled, and when (one per Dispatcher, with
    its middleware)."""

    def __init__(self) -> None:
        self._asked: OrderedDict[str, tuple[int | None, bool, datetime]] = OrderedDict()

    async def owner(self, crm: Crm, bot: Bot, connection_id: str) -> User | None:
        """The active member whose enabled connection this is, now recorded; None when
        the bot knows it enabled already (a member who left) or it is not a member's."""
        if not connection_id or await crm.business.enabled(connection_id):
            return None
        now = crm.clock.now()
        asked = self._asked.get(connection_id)
        if asked is not None and now - asked[2] < RECHECK:
            user_id, enabled = asked[0], asked[1]
            # Asked again before its time only for a stranger's enabled connection whose
            # owner has joined since; a disabled one stays so until Telegram reports it.
            if user_id is None or not enabled or await crm.members.get_active(user_id) is None:
                return None
        try:
            connection = await bot.get_business_connection(connection_id)
        except TelegramAPIError as error:
            log.info("could not ask whose business connection it is: %s", error.message)
            self._remember(connection_id, None, False, now)
            return None
        member = await crm.members.get_active(connection.user.id)
        if member is None or not connection.is_enabled:
            self._remember(connection_id, connection.user.id, connection.is_enabled, now)
            return None
        self._asked.pop(connection_id, None)
        await crm.business.record(member, report_of(connection))
        log.info("business connection of member %s learned from Telegram", member.id)
        return await crm.business.owner_of(connection_id)

    def _remember(
        self, connection_id: str, user_id: int | None, enabled: bool, now: datetime
    ) -> None:
        self._asked[connection_id] = (user_id, enabled, now)
        self._asked.move_to_end(connection_id)
        while len(self._asked) > REMEMBERED:
            self._asked.popitem(last=False)
