"""The open tasks of a member who leaves, on a hand-over: each goes to the successor, or,
when the successor does not see the task's card (its client, a deal's client, its record:
crm.task_assign's rule), to a member who does: the card's responsible manager, else the
member handing over (staff, who see every card). A task the leaver held on another
manager's client, moved to a successor who cannot open the card, left its card unseen.

The tasks are locked FOR NO KEY UPDATE, as every writer locks a row it decides from
(crm.row_locks): FOR UPDATE held up, until the hand-over committed, every insert of a
row pointing at one of them (its timeline's events, a rule's firings)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import visibility
from crm.cards import can_see_record
from crm.reminders import follow_assignee
from storage.models import Client, Deal, Record, Task, User


async def hand_tasks(
    session: AsyncSession, see_all: bool, old: int, heir: User, actor: User
) -> tuple[int, Counter[int]]:
    """``old``'s open tasks moved (their unsent reminders with them): how many went to
    ``heir``, and how many to each other member, by id."""
    tasks = list(
        await session.scalars(
            select(Task)
            .where(Task.assignee_id == old, Task.done_at.is_(None))
            .order_by(Task.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
    )
    others: Counter[int] = Counter()
    for task in tasks:
        taker = await _taker(session, see_all, task, old, heir, actor)
        task.assignee_id = taker.id
        if taker.id != heir.id:
            others[taker.id] += 1
            await follow_assignee(session, old, taker.id, task.id)
    await follow_assignee(session, old, heir.id)
    return len(tasks) - sum(others.values()), others


async def _taker(
    session: AsyncSession, see_all: bool, task: Task, old: int, heir: User, actor: User
) -> User:
    client_id = task.client_id
    if client_id is None and task.deal_id is not None:
        client_id = await session.scalar(select(Deal.client_id).where(Deal.id == task.deal_id))
    client = await session.get(Client, client_id) if client_id is not None else None
    record = await session.get(Record, task.record_id) if task.record_id is not None else None

    def sees(member: User) -> bool:
        return (client is None or visibility.can_see_client(member, client, see_all)) and (
            record is None or can_see_record(member, record, see_all)
        )

    if sees(heir):
        return heir
    managers = (client.manager_id if client else None, record.manager_id if record else None)
    for manager_id in managers:
        manager = await session.get(User, manager_id) if manager_id not in (None, old) else None
        if manager is not None and manager.active and sees(manager):
            return manager
    return actor
