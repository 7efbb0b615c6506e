"""Giving a task to a member: only one who sees its card (its client, a deal's client, or
a record of the team's own type), by the rules a rule's task already follows.

A rule's task passes over a member who does not see the firing's card
(``crm.automation.assignees.sees``), as a deal is refused to a manager who does not see its
client (``crm.deal_assign``): they could not open the card from the task, while the task
names it. A task given by hand, or moved onto another card, is refused the same way, with
the card's name and its responsible, so the owner can first give the card (or free it); so is
a deal moved to another client (``crm.deal_edits``) that one of its open tasks' assignees does
not see, naming the task.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.cards import can_see_record
from crm.errors import Conflict, ErrorCode
from storage.models import Client, Record, Task, User


async def refuse_unseen(
    session: AsyncSession,
    see_all: bool,
    member: User,
    *,
    client_id: int | None,
    record_id: int | None,
) -> None:
    """Conflict ``client_not_visible`` or ``record_not_visible`` unless ``member`` sees the
    task's client (for a deal: its client) and record; ``see_all``: managers see all."""
    client = await session.get(Client, client_id) if client_id is not None else None
    if client is not None and not visibility.can_see_client(member, client, see_all):
        raise Conflict(
            ErrorCode.CLIENT_NOT_VISIBLE,
            client=client.name,
            member=member.full_name,
            responsible=await _name(session, client.manager_id),
        )
    record = await session.get(Record, record_id) if record_id is not None else None
    if record is not None and not can_see_record(member, record, see_all):
        raise Conflict(
            ErrorCode.RECORD_NOT_VISIBLE,
            name=record.title,
            member=member.full_name,
            responsible=await _name(session, record.manager_id),
        )


async def refuse_unseen_tasks(
    session: AsyncSession, see_all: bool, deal_id: int, client: Client
) -> None:
    """Conflict ``task_client_not_visible``, naming the first such task and its assignee,
    unless every active assignee of the deal's open tasks sees ``client`` (the deal's new
    client). A done task, or one left with a deactivated member, keeps no one from it."""
    held = await session.execute(
        select(Task, User)
        .join(User, User.id == Task.assignee_id)
        .where(Task.deal_id == deal_id, Task.done_at.is_(None), User.active.is_(True))
        .order_by(Task.id)
    )
    for task, assignee in held:
        if not visibility.can_see_client(assignee, client, see_all):
            raise Conflict(
                ErrorCode.TASK_CLIENT_NOT_VISIBLE,
                task=task.title,
                member=assignee.full_name,
                client=client.name,
                responsible=await _name(session, client.manager_id),
            )


async def _name(session: AsyncSession, member_id: int | None) -> str:
    found = await session.get(User, member_id) if member_id is not None else None
    return found.full_name if found is not None else ""
