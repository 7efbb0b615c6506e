"""Writing proactive messages into the outbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Before, Clock
from storage.engine import write_transaction
from storage.insert_or_nothing import insert_or_nothing
from storage.models import GroupChat, OutboxMessage, User


class OutboxKind(StrEnum):
    """Every kind of message the bot sends on its own (the outbox ``kind`` column).

    ``reminders/render.py`` has a renderer for each (``RENDERERS``; a test checks).
    """

    # A task's reminders (crm/reminders.py), and a task given to someone
    TASK_REMINDER = "task_reminder"
    TASK_EARLY = "task_early"
    TASK_NUDGE = "task_nudge"
    TASK_ASSIGNED = "task_assigned"
    # A member told what someone else did to what is theirs (crm/notices.py and others)
    TASK_DONE = "task_done"
    TASK_CANCELLED = "task_cancelled"
    CLIENT_ASSIGNED = "client_assigned"
    RECORD_ASSIGNED = "record_assigned"
    CLIENT_DELETED = "client_deleted"
    HANDED_OVER = "handed_over"
    DEAL_ASSIGNED = "deal_assigned"
    INVITE_ACCEPTED = "invite_accepted"
    # A member's new role, or their access turned off or back on (crm/members.py, crm/handoff.py)
    ROLE_CHANGED = "role_changed"
    ACCESS_CHANGED = "access_changed"
    # A member who had blocked the bot wrote again: the reminders missed meanwhile (crm/members.py)
    MISSED_REMINDERS = "missed_reminders"
    # The team's group chat: ``group_`` and a topic of crm/groups.py TOPICS
    GROUP_NEW_CLIENT = "group_new_client"
    GROUP_NEW_DEAL = "group_new_deal"
    GROUP_DEAL_WON = "group_deal_won"
    GROUP_DEAL_LOST = "group_deal_lost"
    GROUP_TASK_OVERDUE = "group_task_overdue"
    BOT_LEFT_GROUP = "bot_left_group"  # to whoever bound it: the bot may not write there now
    # Automation: a rule's message, a prepared template, a rule paused for running away
    AUTOMATION_NOTICE = "automation_notice"
    AUTOMATION_TEMPLATE = "automation_template"
    AUTOMATION_PAUSED = "automation_paused"
    # The owner's daily summary and a member's morning list
    DIGEST = "digest"
    MORNING = "morning"
    # Incoming leads: to the member who got one, and to the owners and groups when nobody did
    LEAD_NEW = "lead_new"
    LEAD_QUEUE = "lead_queue"
    # The owner's nightly backup (crm/backups.py)
    NIGHTLY_BACKUP = "nightly_backup"
    # A customer wrote to a member's Telegram Business account for the first time
    BUSINESS_NEW_CLIENT = "business_new_client"


TASK_REMINDERS = (OutboxKind.TASK_REMINDER, OutboxKind.TASK_EARLY, OutboxKind.TASK_NUDGE)
GROUP_KINDS = frozenset(kind for kind in OutboxKind if kind.startswith("group_"))


def group_kind(topic: str) -> OutboxKind:
    """The kind of a group chat's announcement of ``topic`` (ValueError for no such topic)."""
    return OutboxKind(f"group_{topic}")


async def enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    kind: OutboxKind,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message once per ``dedupe_key``. Returns False when it was already queued."""
    values = {
        "dedupe_key": dedupe_key,
        "chat_id": chat_id,
        "kind": kind,
        "payload": payload,
        "created_at": now,
        "next_attempt_at": not_before or now,
        "attempts": 0,
    }
    stmt = insert_or_nothing(session, OutboxMessage, "dedupe_key").values(**values)
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


def folded(*rows: OutboxMessage) -> dict[str, Any]:
    """The payload of one message carrying every announcement of ``rows``.

    A row may carry others already (its burst was put off, by a 429 or the group's
    minute budget): theirs are carried on, not nested in one announcement.
    """
    items: list[dict[str, Any]] = []
    kinds: list[str] = []
    for row in rows:
        items.extend(row.payload.get("items") or [row.payload])
        kinds.extend(row.payload.get("kinds") or [row.kind])
    return {"items": items, "kinds": kinds}


# Rows whose sending takes long (the nightly backup is made when its row is sent, then
# uploaded): their lease is longer, so the row is not claimed again while still on its way.
SLOW_LEASES = {"nightly_backup": timedelta(minutes=30)}


class Outbox:
    """The sender's view of the outbox: claim what is due, then settle each row."""

    LEASE = timedelta(minutes=2)

    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    @staticmethod
    def _due(now: datetime | ColumnElement[datetime]) -> tuple[ColumnElement[bool], ...]:
        return (
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
        )

    def due_now(self, at: Before) -> ColumnElement[bool]:
        """Whether any row is due to be sent."""
        return exists(select(OutboxMessage.id).where(*self._due(at(timedelta(0)))))

    async def claim_due(self, limit: int, holder: str | None = None) -> list[OutboxMessage]:
        """Due rows, each leased to ``holder`` so a second process skips them meanwhile."""
        now = self._clock.now()
        due = self._due(now)
        # Read first: with nothing due (the usual tick) no write transaction is opened.
        if await self._session.scalar(select(OutboxMessage.id).where(*due).limit(1)) is None:
            return []
        async with write_transaction(self._session):
            rows = list(
                await self._session.scalars(
                    select(OutboxMessage)
                    .where(*due)
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                row.next_attempt_at = now + SLOW_LEASES.get(row.kind, self.LEASE)
                row.claimed_by = holder
            return rows

    async def take_back(self, holder: str) -> int:
        """Make ``holder``'s unfinished claims due now: it restarted and sends them itself.

        Only a row still under its lease names a holder (settling or putting a row
        off clears it), so nothing waiting for a retry is hurried.
        """
        now = self._clock.now()
        async with write_transaction(self._session):
            result = await self._session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.claimed_by == holder,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.failed_at.is_(None),
                )
                .values(next_attempt_at=now, claimed_by=None)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def depth(self) -> tuple[int, datetime | None]:
        """How many messages wait to be sent, and when the oldest of them was queued."""
        count, oldest = (
            await self._session.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
                )
            )
        ).one()
        return int(count), oldest

    async def mark_sent(self, message_id: int) -> None:
        await self._settle(message_id, sent_at=self._clock.now())

    async def retry_later(
        self, message_id: int, delay: timedelta, error: str, count: bool = True
    ) -> None:
        """Look at the row again after ``delay``; ``count`` says whether this was a failed try."""
        async with write_transaction(self._session):
            row = await self._session.get(OutboxMessage, message_id)
            if row is not None:
                row.attempts += int(count)
                row.claimed_by = None
                row.next_attempt_at = self._clock.now() + delay
                row.last_error = error[:1000]

    async def give_up(self, message_id: int, error: str, chat_id: int | None = None) -> None:
        """Fail the row; with ``chat_id``, only while it is that chat's (one readdressed
        meanwhile, a reminder following its task to a new assignee, is due again now)."""
        if chat_id is not None and await self._session.scalar(
            select(OutboxMessage.chat_id).where(OutboxMessage.id == message_id)
        ) not in (chat_id, None):
            return await self.retry_later(message_id, timedelta(0), error, count=False)
        await self._settle(message_id, failed_at=self._clock.now(), last_error=error[:1000])

    async def mark_unreachable(self, chat_id: int) -> None:
        """The chat blocked the bot: note it on the member and stop their pending messages.
        A team's group that removed the bot is unbound, and whoever bound it is told."""
        now = self._clock.now()
        async with write_transaction(self._session):
            user = await self._session.get(User, chat_id)
            if user is not None and user.unreachable_at is None:
                user.unreachable_at = now
            group = await self._session.get(GroupChat, chat_id) if chat_id < 0 else None
            if group is not None:
                await self._session.delete(group)
                await enqueue(
                    self._session,
                    chat_id=group.bound_by,
                    kind=OutboxKind.BOT_LEFT_GROUP,
                    payload={"title": group.title},
                    dedupe_key=f"{OutboxKind.BOT_LEFT_GROUP}:{chat_id}:{now.isoformat()}",
                    now=now,
                )
            pending = await self._session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.failed_at.is_(None),
                )
            )
            for row in pending:
                row.failed_at = now
                row.last_error = "blocked by the user"

    async def fold_into(self, message_id: int, others: list[int]) -> None:
        """Carry ``others`` inside ``message_id``: they are settled now, it is sent for all.

        The carrier's payload keeps theirs, so if it fails and is retried, they
        go with it.
        """
        async with write_transaction(self._session):
            carrier = await self._session.get(OutboxMessage, message_id)
            if carrier is None:
                return
            rows = list(
                await self._session.scalars(
                    select(OutboxMessage).where(OutboxMessage.id.in_(others))
                )
            )
            now = self._clock.now()
            for row in rows:
                row.sent_at = now
                row.last_error = f"sent with {message_id}"
            carrier.payload = folded(carrier, *rows)

    async def recipient_language(self, chat_id: int, default: str) -> str:
        """A member's own language; a group's is the language of the member who bound it
        (its /bind switches were in it), as that member reads the bot now."""
        group = await self._session.get(GroupChat, chat_id) if chat_id < 0 else None
        user = await self._session.get(User, group.bound_by if group else chat_id)
        return user.language if user is not None else default

    async def _settle(self, message_id: int, **values: object) -> None:
        async with write_transaction(self._session):
            row = await self._session.get(OutboxMessage, message_id)
            if row is not None:
                row.attempts += 1
                row.claimed_by = None
                for name, value in values.items():
                    setattr(row, name, value)


def batches(rows: list[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Each row alone, except a group's announcements, which go out together.

    Groups may receive 20 messages a minute; a burst ("3 new clients: …") is
    one message however many rows it holds.
    """
    found: list[list[OutboxMessage]] = []
    by_group: dict[int, list[OutboxMessage]] = {}
    for row in rows:
        if row.kind in GROUP_KINDS:
            if row.chat_id not in by_group:
                by_group[row.chat_id] = []
                found.append(by_group[row.chat_id])
            by_group[row.chat_id].append(row)
        else:
            found.append([row])
    return found
