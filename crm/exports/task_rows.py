"""The rows of the tasks export: a task's client, deal or record only if the reader sees it.

A manager exports their own tasks (assigned or set), and such a task may hang off a card
given to another manager since: the row stays (the task is theirs), the card's name is left
out, as the other exports leave out the links to cards the reader cannot see
(``crm.exports.extras``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from crm.access import is_staff
from crm.cards import can_see_record
from crm.visibility import can_see_client
from storage.models import Client, Deal, Record, RecordType, Task, User


def tasks_query(actor: User, who: int) -> Select[Task, Client, Deal, Client, Record, str]:
    """The tasks ``actor`` exports (their own for a manager; ``who``'s, if given), each with
    its client, deal, the deal's client, record and the record's type name."""
    of_deal = aliased(Client)
    query = (
        select(Task, Client, Deal, of_deal, Record, RecordType.singular)
        .outerjoin(Client, Client.id == Task.client_id)
        .outerjoin(Deal, Deal.id == Task.deal_id)
        .outerjoin(of_deal, of_deal.id == Deal.client_id)
        .outerjoin(Record, Record.id == Task.record_id)
        .outerjoin(RecordType, RecordType.id == Record.type_id)
        .order_by(Task.id)
    )
    if not is_staff(actor):
        query = query.where((Task.assignee_id == actor.id) | (Task.created_by == actor.id))
    if who:
        query = query.where(Task.assignee_id == who)
    return query


def task_row(
    actor: User,
    see_all: bool,
    members: Mapping[int, str],
    priorities: Mapping[str, str],
    row: Any,
) -> list[Any]:
    """One row of ``tasks_query`` as the export's cells (``TASK_COLUMNS``)."""
    task, client, deal, of_deal, record, of_type = row

    def seen(owner: Client | None) -> bool:
        return owner is not None and can_see_client(actor, owner, see_all)

    return [
        task.id,
        task.title,
        task.due_at,
        priorities.get(task.priority, task.priority),
        members.get(task.assignee_id),
        client.name if seen(client) else None,
        deal.title if deal is not None and seen(of_deal) else None,
        f"{of_type}: {record.title}"
        if record is not None and can_see_record(actor, record, see_all)
        else None,
        task.done_at,
    ]
