"""A task as its reader is shown it: with its client, deal or record only if they see it.

A manager's task may hang off a card given to another manager since (a client, and so its
deals, or a record): the task stays theirs, its reminders still come, but the card's name,
its phone and the way to open it are left out, as the tasks export leaves them out
(``crm.exports.task_rows``) and the card itself is refused to them (``crm.visibility``,
``crm.cards.can_see_record``). Read when shown: the task may have changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import can_see_record
from crm.placeholders import first_phone
from crm.team_settings import TeamSettings
from crm.visibility import can_see_client
from storage.models import Client, Deal, RecordType, Task, User
from storage.models import Record as TeamRecord


@dataclass(frozen=True)
class ReminderView:
    """What a task's screen, line or reminder shows of it to one reader."""

    task: Task
    assignee: User | None
    client: Client | None
    deal: Deal | None
    phone: str | None
    # A card of the team's own type the task is about, and its type's emoji.
    record: TeamRecord | None = None
    record_emoji: str = "📁"


class TaskViews:
    def __init__(self, session: AsyncSession, settings: TeamSettings) -> None:
        self._session = session
        self._settings = settings

    async def view(self, reader: User, task_id: int) -> ReminderView | None:
        """The task with the client or deal and record ``reader`` sees, and a phone to call;
        None if it is gone."""
        session = self._session
        task = await session.get(Task, task_id)
        if task is None:
            return None
        see_all = await self._settings.managers_see_all()
        assignee = await session.get(User, task.assignee_id)
        deal = await session.get(Deal, task.deal_id) if task.deal_id else None
        client_id = task.client_id or (deal.client_id if deal else None)
        client = await session.get(Client, client_id) if client_id else None
        if client is not None and not can_see_client(reader, client, see_all):
            client = deal = None  # a deal is seen through its client
        phone = await first_phone(session, client.id) if client is not None else None
        record = await session.get(TeamRecord, task.record_id) if task.record_id else None
        if record is not None and not can_see_record(reader, record, see_all):
            record = None
        of_type = await session.get(RecordType, record.type_id) if record else None
        emoji = of_type.emoji if of_type is not None else "📁"
        return ReminderView(task, assignee, client, deal, phone, record, emoji)
