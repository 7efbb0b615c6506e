"""Fixing a deal made by mistake: deleting it (the owner) and moving it to another client.

Deleting takes the deal's tasks with it; its events stay on the client's timeline (unlinked
from the deal) and one ``deal_deleted`` event says what went. Moving writes a
``deal_client_changed`` event on both clients' timelines and moves the deal's tasks along
(refused, as for the deal's manager, if one of their assignees would not see the client).
Each locks the deal's client and the deal first, as the deal's other writers do
(``crm.row_locks.deal_locked``; a move also the client it goes to), and reads them afresh:
on PostgreSQL two members moving one deal at once each wrote where it came from as it was
before the other's move, and a deal taken back while a comment was being added went with
the comment left behind on its client.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm import deal_assign, events, link_writes, row_locks, task_assign
from crm.cards import CardKind, CardRef
from crm.clock import Clock
from crm.deals import Deals
from crm.errors import Conflict, ErrorCode, NotAllowed
from crm.event_data import DealClientChanged, DealDeleted
from crm.events import EventKind
from crm.team_settings import TeamSettings
from crm.visibility import can_delete
from storage.engine import write_transaction
from storage.models import Client, Deal, Event, Task, User

# A deal made by mistake can be taken back by its maker this long after.
TAKE_BACK_WINDOW = timedelta(hours=1)


class DealEdits:
    def __init__(
        self, session: AsyncSession, clock: Clock, deals: Deals, settings: TeamSettings
    ) -> None:
        self._session = session
        self._clock = clock
        self._deals = deals
        self._settings = settings

    async def deletion_preview(self, actor: User, deal_id: int) -> int:
        """How many tasks go with the deal (for the confirmation); only the owner may ask."""
        deal = await self._deals.visible(actor, deal_id)
        if not can_delete(actor):
            raise NotAllowed()
        return await self._task_count(deal.id)

    async def history_count(self, actor: User, deal_id: int) -> int:
        """How many events the deal's timeline holds (they stay on the client's)."""
        deal = await self._deals.visible(actor, deal_id)
        count = await self._session.scalar(
            select(func.count()).select_from(Event).where(Event.deal_id == deal.id)
        )
        return int(count or 0)

    async def delete(self, actor: User, deal_id: int) -> int:
        """Delete the deal and its tasks; returns how many tasks went with it."""
        session, ref = self._session, CardRef(CardKind.DEAL, deal_id)

        async def gone() -> set[CardRef]:
            return {ref}

        async def lock(cards: set[CardRef]) -> None:  # (as deal writers: module doc)
            await row_locks.deals_locked(session, (deal_id,), *cards)

        async with write_transaction(session):
            # Its links removed first, as unlinking by hand removes them (crm.link_writes):
            # each linked card's history says so; the cascade said nothing.
            links = await link_writes.links_locked(session, gone, lock)
            deal = await self._deals.visible(actor, deal_id)
            if not can_delete(actor):
                raise NotAllowed()
            await link_writes.unlink(session, self._clock, actor, links)
            tasks = await self._task_count(deal.id)
            await self._session.execute(delete(Task).where(Task.deal_id == deal.id))
            await self._session.execute(
                update(Event).where(Event.deal_id == deal.id).values(deal_id=None)
            )
            events.record(
                self._session,
                self._clock,
                EventKind.DEAL_DELETED,
                actor.id,
                client_id=deal.client_id,
                text=deal.title,
                data=DealDeleted(
                    deal=deal.id, amount=deal.amount_minor, currency=deal.currency, tasks=tasks
                ),
            )
            await self._session.delete(deal)
            await self._session.flush()
            return tasks

    async def move_to_client(self, actor: User, deal_id: int, client_id: int) -> Deal:
        """Give the deal (and its tasks) to another client the actor sees and may change;
        refused (``client_not_visible``) when the deal's manager would not see that client,
        and (``task_client_not_visible``) when an open task's assignee would not: the task
        would name a client they cannot open. Nothing is written then."""
        async with write_transaction(self._session):
            await row_locks.deal_locked(self._session, deal_id, CardRef(CardKind.CLIENT, client_id))
            deal = await self._deals.changeable(actor, deal_id)
            await self._deals.check_client(actor, client_id)
            if deal.client_id == client_id:
                raise Conflict(ErrorCode.SAME_CLIENT)
            old = deal.client_id
            found = await self._session.execute(
                select(Client.id, Client.name).where(Client.id.in_((old, client_id)))
            )
            names = {row.id: row.name for row in found}
            deal.client_id = client_id
            if deal.manager_id is not None:  # its manager must still find it
                manager = await self._session.get(User, deal.manager_id)
                if manager is not None and manager.active:
                    await deal_assign.refuse_unseen(
                        self._session, self._deals._clients, manager, deal
                    )
            client = await self._session.get(Client, client_id)
            if client is not None:  # (seen by the actor: checked above)
                see_all = await self._settings.managers_see_all()
                await task_assign.refuse_unseen_tasks(self._session, see_all, deal.id, client)
            deal.last_activity_at = self._clock.now()
            await self._session.execute(
                update(Task).where(Task.deal_id == deal.id).values(client_id=client_id)
            )
            data = DealClientChanged(
                old=old, old_name=names.get(old), new=client_id, new_name=names.get(client_id)
            )
            for side in (old, client_id):
                events.record(
                    self._session,
                    self._clock,
                    EventKind.DEAL_CLIENT_CHANGED,
                    actor.id,
                    client_id=side,
                    deal_id=deal.id,
                    text=deal.title,
                    data=data,
                )
            await self._session.flush()
            return deal

    async def take_back(self, actor: User, deal_id: int) -> None:
        """Undo a deal its maker just made on the wrong card (``/deal`` with a card open):
        only within ``TAKE_BACK_WINDOW`` and while nothing else happened to it. It goes
        with its ``deal_created`` event (and its custom values' written with it), as an
        undone comment does."""
        async with write_transaction(self._session):
            await row_locks.deal_locked(self._session, deal_id)
            deal = await self._deals.changeable(actor, deal_id)
            kinds = [
                kind
                for kind, data in await self._session.execute(
                    select(Event.kind, Event.data).where(Event.deal_id == deal.id)
                )
                if not (kind == "custom_field_changed" and (data or {}).get("with_card"))
            ]
            fresh = self._clock.now() - deal.created_at <= TAKE_BACK_WINDOW
            if deal.created_by != actor.id or kinds != ["deal_created"] or not fresh:
                raise Conflict(ErrorCode.DEAL_NOT_FRESH)
            if await self._task_count(deal.id):
                raise Conflict(ErrorCode.DEAL_NOT_FRESH)
            await self._session.execute(delete(Event).where(Event.deal_id == deal.id))
            await self._session.delete(deal)
            await self._session.flush()

    async def _task_count(self, deal_id: int) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(Task).where(Task.deal_id == deal_id)
        )
        return int(count or 0)
