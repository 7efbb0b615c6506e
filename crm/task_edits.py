"""Fixing a task: its text, what it hangs off (a client or a deal), cancelling it; and a
deal's open tasks (its card's buttons).

Due time, assignee and priority are changed by ``Tasks.reschedule``/``assign``/``set_options``.
A cancelled task is removed, so it can never remind (a queued reminder renders to nothing);
its ``task_cancelled`` event keeps its text on the client's and deal's timelines.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, notices
from crm.access import is_staff, own_tasks_first
from crm.cards import CardKind, CardRef
from crm.clients import Clients
from crm.clock import Clock
from crm.deals import Deals
from crm.event_data import TaskCancelled, TaskChanged
from crm.events import EventKind
from crm.tasks import Tasks, clean_title
from storage.engine import write_transaction
from storage.models import Event, Task, User

DEAL_TASKS = 30  # read for a deal's card (it shows five)


class TaskEdits:
    def __init__(
        self, session: AsyncSession, clock: Clock, tasks: Tasks, clients: Clients, deals: Deals
    ) -> None:
        self._session = session
        self._clock = clock
        self._tasks = tasks
        self._clients = clients
        self._deals = deals

    async def set_title(self, actor: User, task_id: int, text: str) -> Task:
        title = clean_title(text)
        async with write_transaction(self._session):
            task = await self._tasks._open_task(actor, task_id)
            if task.title != title:
                old, task.title = task.title, title
                self._tasks._record(
                    task, EventKind.TASK_CHANGED, actor, TaskChanged(field="title", old=old)
                )
            return task

    async def attach(
        self, actor: User, task_id: int, *, client_id: int | None, deal_id: int | None
    ) -> Task:
        """Hang the task off a deal (and so its client), a client, or nothing (both None);
        a record of the team's own type it was about (a rule's) is let go."""
        async with write_transaction(self._session):
            task = await self._tasks._open_task(actor, task_id)
            return await self._put(actor, task, client_id, deal_id)

    async def detach_as_made(self, actor: User, task_id: int) -> bool:
        """The "✂️ Not for …" of a task's confirmation: the task goes on no card, unless it was
        put on another card (or on none) since: the button named the card it was made on.
        False then, and nothing is changed."""
        async with write_transaction(self._session):
            task = await self._tasks._open_task(actor, task_id)
            if task.client_id is None:
                return False  # on no card already (made on one, it had its client)
            # Put on a card since: its "attached" line is on the timeline of the card it is on
            # (read by the timelines' indexes; a deal moved to another client keeps its own).
            on_card = Event.client_id == task.client_id
            if task.deal_id is not None:
                on_card = or_(on_card, Event.deal_id == task.deal_id)
            moved = await self._session.scalar(
                select(Event.id)
                .where(
                    on_card,
                    Event.task_id == task.id,
                    Event.kind == EventKind.TASK_CHANGED,
                    Event.data["field"].as_string() == "attached",
                )
                .limit(1)
            )
            if moved is not None:
                return False
            await self._put(actor, task, None, None)
            return True

    async def _put(
        self, actor: User, task: Task, client_id: int | None, deal_id: int | None
    ) -> Task:
        """``attach``'s work, in its transaction."""
        went: tuple[CardRef, str] | None = None  # where it goes, and its name
        if deal_id is not None:
            deal = await self._deals.visible(actor, deal_id)
            client_id, went = deal.client_id, (CardRef(CardKind.DEAL, deal.id), deal.title)
        elif client_id is not None:
            client = await self._clients.visible(actor, client_id)
            went = (CardRef(CardKind.CLIENT, client.id), client.name)
        assignee = await self._session.get(User, task.assignee_id)
        if assignee is not None and assignee.active:  # they could not open the card
            await self._tasks.refuse_unseen(assignee, client_id=client_id, record_id=None)
        was = TaskChanged(field="attached", old_client=task.client_id, old_deal=task.deal_id)
        if (task.client_id, task.deal_id, task.record_id) != (client_id, deal_id, None):
            self._left(actor, task, client_id, deal_id, went)
            task.client_id, task.deal_id, task.record_id = client_id, deal_id, None
            self._tasks._record(task, EventKind.TASK_CHANGED, actor, was)
        return task

    def _left(
        self,
        actor: User,
        task: Task,
        client_id: int | None,
        deal_id: int | None,
        went: tuple[CardRef, str] | None,
    ) -> None:
        """The task leaves its cards for ``client_id`` and ``deal_id``: the history of each
        card it leaves that the new "attached" line is not on says it left, and where to."""
        old_deal = task.deal_id if task.deal_id != deal_id else None
        old_client = task.client_id if task.client_id != client_id else None
        if old_deal is None and old_client is None and task.record_id is None:
            return  # (from a client to one of its deals: the client's history has the line)
        left = TaskChanged(field="detached")
        if task.record_id is not None:
            left["old_record"] = task.record_id
        if went is not None:
            left["other"], left["title"] = went[0].plain(), went[1]
        events.record(
            self._session,
            self._clock,
            EventKind.TASK_CHANGED,
            actor.id,
            client_id=old_client,
            deal_id=old_deal,
            record_id=task.record_id,
            task_id=task.id,
            text=task.title,
            data=left,
        )

    async def cancel(self, actor: User, task_id: int) -> None:
        """Cancel an open task: one event, and the task is gone (it never reminds). The
        assignee is told if someone else cancelled it, the one who set it if the assignee did."""
        async with write_transaction(self._session):
            task = await self._tasks._open_task(actor, task_id)
            cancelled = TaskCancelled(task=task.id)
            self._tasks._record(task, EventKind.TASK_CANCELLED, actor, cancelled, linked=False)
            await notices.task_cancelled(self._session, self._clock, task, actor.id)
            await self._session.delete(task)
            await self._session.flush()

    async def open_of_deal(self, actor: User, deal_id: int) -> list[Task]:
        """The deal's open tasks, soonest first (for its card); a manager's own first, as
        the card makes buttons only for those (the 31st, theirs, had none)."""
        deal = await self._deals.visible(actor, deal_id)
        own_first = [] if is_staff(actor) else [own_tasks_first(actor.id)]
        found = await self._session.scalars(
            select(Task)
            .where(Task.deal_id == deal.id, Task.done_at.is_(None))
            .order_by(*own_first, Task.due_at, Task.id)
            .limit(DEAL_TASKS)
        )
        return list(found)
