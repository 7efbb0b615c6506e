"""Writing the event log: one row per change, in the change's own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from storage.models import Event


class EventKind(StrEnum):
    """Every kind of change the event log records (the ``kind`` column)."""

    CLIENT_CREATED = "client_created"
    CLIENT_DELETED = "client_deleted"
    COMMENT = "comment"
    CALL = "call"
    FILE = "file"
    FIELD_CHANGED = "field_changed"
    STATUS_CHANGED = "status_changed"
    TAGS_CHANGED = "tags_changed"
    MANAGER_CHANGED = "manager_changed"
    ARCHIVED = "archived"
    UNARCHIVED = "unarchived"
    DEAL_CREATED = "deal_created"
    STAGE_CHANGED = "stage_changed"
    DEAL_WON = "deal_won"
    DEAL_LOST = "deal_lost"
    DEAL_REOPENED = "deal_reopened"
    DEAL_CHANGED = "deal_changed"
    TASK_CREATED = "task_created"
    TASK_RESCHEDULED = "task_rescheduled"
    TASK_ASSIGNED = "task_assigned"
    TASK_SNOOZED = "task_snoozed"
    TASK_DONE = "task_done"
    MEMBER_JOINED = "member_joined"
    MEMBER_ROLE_CHANGED = "member_role_changed"
    MEMBER_DEACTIVATED = "member_deactivated"
    MEMBER_REACTIVATED = "member_reactivated"
    INVITE_ACCEPTED = "invite_accepted"
    IMPORTED = "imported"
    IMPORT_UNDONE = "import_undone"
    DEAL_DELETED = "deal_deleted"
    DEAL_CLIENT_CHANGED = "deal_client_changed"
    TASK_CHANGED = "task_changed"
    TASK_CANCELLED = "task_cancelled"
    MEMBER_HANDED_OVER = "member_handed_over"
    BUSINESS_MESSAGE = "business_message"  # a message of a connected Telegram Business chat
    BUSINESS_CHAT_EXCLUDED = "business_chat_excluded"  # the member left the chat out
    BUSINESS_CHAT_INCLUDED = "business_chat_included"  # ... and took it back


# Recorded, but not yet in EventKind: they need a text in handlers/kit/timeline.py first
# (tests/test_first_week.py checks every EventKind reads as words in both languages).


def record(
    session: AsyncSession,
    clock: Clock,
    kind: str,
    actor_id: int | None,
    *,
    client_id: int | None = None,
    deal_id: int | None = None,
    task_id: int | None = None,
    record_id: int | None = None,
    text: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """One event row; ``data`` is the kind's payload (``crm.event_data``), stored as JSON."""
    event = Event(
        **row(
            clock.now(),
            kind,
            actor_id,
            client_id=client_id,
            deal_id=deal_id,
            task_id=task_id,
            record_id=record_id,
            text=text,
            data=data,
        )
    )
    session.add(event)
    return event


def row(
    occurred_at: datetime,
    kind: str,
    actor_id: int | None,
    *,
    client_id: int | None = None,
    deal_id: int | None = None,
    task_id: int | None = None,
    record_id: int | None = None,
    text: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An event's column values, for ``record`` or for a multi-row insert."""
    return {
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "kind": kind,
        "client_id": client_id,
        "deal_id": deal_id,
        "task_id": task_id,
        "record_id": record_id,
        "text": text,
        "data": dict(data or {}),
    }


async def insert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Many events in one statement. The ORM inserts rows whose ids it must fetch one
    statement each on SQLite; these events' ids are never needed."""
    if rows:
        await session.execute(insert(Event), rows)
