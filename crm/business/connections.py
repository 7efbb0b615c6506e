"""Members' Telegram Business accounts connected to the bot, and the owner's switch.

A connection is recorded as Telegram reports it (who, which rights, enabled or
not); only an active member's connection is kept, but a disconnection is recorded
whoever sends it (a member deactivated since). The owner can switch the inbox off
for the whole team: nothing of any chat is then recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff
from crm.clock import Clock
from crm.errors import ErrorCode, NotAllowed, NotFound
from crm.team_settings import INBOX_KEY, TeamSettings
from storage.engine import write_transaction
from storage.models import AppSetting, BusinessConnection, Role, User

# Within this long after the customer's last message, Telegram lets the bot reply.
REPLY_WINDOW_HOURS = 24


class Change(StrEnum):
    CONNECTED = "connected"  # new, or enabled again
    RIGHTS = "rights"  # still enabled, its rights changed
    DISCONNECTED = "disconnected"
    SAME = "same"  # a repeated update: nothing changed


@dataclass(frozen=True)
class ConnectionReport:
    """A ``business_connection`` update, as the CRM needs it (no Telegram types)."""

    id: str
    user_id: int
    user_chat_id: int
    enabled: bool
    rights: dict[str, Any]


def can_reply(rights: dict[str, Any]) -> bool:
    return bool(rights.get("can_reply"))


class BusinessConnections:
    def __init__(self, session: AsyncSession, clock: Clock, settings: TeamSettings) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings

    async def record(self, member: User, report: ConnectionReport) -> Change:
        """Store what Telegram said about ``member``'s connection (the caller checked
        that the sender is an active member: nobody else's connection is kept)."""
        if not member.active or report.user_id != member.id:
            raise NotAllowed()
        async with write_transaction(self._session):
            now = self._clock.now()
            row = await self._session.get(BusinessConnection, report.id)
            if row is None:
                self._session.add(
                    BusinessConnection(
                        id=report.id,
                        user_id=member.id,
                        user_chat_id=report.user_chat_id,
                        rights=dict(report.rights),
                        enabled=report.enabled,
                        open_deal=False,
                        connected_at=now,
                        updated_at=now,
                    )
                )
                return Change.CONNECTED if report.enabled else Change.DISCONNECTED
            if row.user_id != member.id:
                raise NotAllowed()  # an id is one account's: never taken over
            before = (row.enabled, dict(row.rights))
            row.enabled, row.rights = report.enabled, dict(report.rights)
            row.user_chat_id = report.user_chat_id
            if before == (row.enabled, row.rights):
                return Change.SAME
            row.updated_at = now
            if not report.enabled:
                return Change.DISCONNECTED
            return Change.CONNECTED if not before[0] else Change.RIGHTS

    async def disconnected(self, report: ConnectionReport) -> bool:
        """A disconnection sent by someone who is not (or no longer) an active member: their
        connection's row, if the bot keeps one, is marked disabled; nothing else is kept.
        It only takes rights away, so it is recorded whoever sends it. Whether a row changed."""
        if report.enabled:
            raise NotAllowed()
        async with write_transaction(self._session):
            row = await self._session.get(BusinessConnection, report.id)
            if row is None or row.user_id != report.user_id or not row.enabled:
                return False
            row.enabled, row.rights = False, dict(report.rights)
            row.updated_at = self._clock.now()
            return True

    async def mine(self, member: User) -> list[BusinessConnection]:
        """The member's connections, enabled first."""
        rows = await self._session.scalars(
            select(BusinessConnection)
            .where(BusinessConnection.user_id == member.id)
            .order_by(BusinessConnection.enabled.desc(), BusinessConnection.updated_at.desc())
        )
        return list(rows)

    async def set_open_deal(self, member: User, on: bool) -> None:
        """The member's setting: a new contact in their chats also gets a deal."""
        rows = await self.mine(member)
        if not rows:
            raise NotFound(ErrorCode.BUSINESS_NOT_CONNECTED)
        async with write_transaction(self._session):
            for row in rows:
                row.open_deal = on

    async def enabled(self, connection_id: str) -> bool:
        """Whether the connection is recorded as enabled (whoever's it is)."""
        found = await self._session.get(BusinessConnection, connection_id)
        return found is not None and found.enabled

    async def owner_of(self, connection_id: str) -> User | None:
        """The active member whose enabled connection this is (None: nobody's)."""
        return await self._session.scalar(
            select(User)
            .join(BusinessConnection, BusinessConnection.user_id == User.id)
            .where(
                BusinessConnection.id == connection_id,
                BusinessConnection.enabled,
                User.active,
            )
        )

    async def inbox_on(self) -> bool:
        setting = await self._settings.value(INBOX_KEY)
        return setting is None or bool(setting.get("on"))

    async def set_inbox(self, actor: User, on: bool) -> None:
        if not (is_staff(actor) and actor.role == Role.OWNER):
            raise NotAllowed()
        async with self._settings.changing():
            await self._session.merge(AppSetting(key=INBOX_KEY, value={"on": on}))


def within_window(last_customer_message_at: datetime | None, now: datetime) -> bool:
    if last_customer_message_at is None:
        return False
    return (now - last_customer_message_at).total_seconds() < REPLY_WINDOW_HOURS * 3600
