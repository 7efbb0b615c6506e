"""Leaving the team without leaving work behind: deactivating a member hands their clients,
deals, records and open tasks to another member in the same transaction (issue 10, item
15; a task on a card the successor does not see goes to one who does, crm.handoff_tasks),
and what a client's deletion takes with it, for the confirmation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm import access, events, notices, outbox
from crm.clients import Clients
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed
from crm.event_data import MemberActive, MemberHandedOver
from crm.handoff_tasks import hand_tasks
from crm.row_locks import locked
from crm.team_settings import TeamSettings
from crm.visibility import can_delete
from storage.engine import write_transaction
from storage.models import Client, Deal, Record, Task, User


@dataclass(frozen=True)
class Counts:
    clients: int = 0
    deals: int = 0
    tasks: int = 0
    records: int = 0
    tasks_elsewhere: int = 0  # open tasks on cards the successor does not see: to others


class Handoff:
    def __init__(
        self, session: AsyncSession, clock: Clock, clients: Clients, settings: TeamSettings
    ) -> None:
        self._session = session
        self._clock = clock
        self._clients = clients
        self._settings = settings

    async def deactivate(self, actor: User, member_id: int, hand_to: int | None) -> Counts:
        """Deactivate ``member_id``; with ``hand_to``, their clients, deals, records and open
        tasks go to that active member first (who is told; a task on a card they do not see
        goes to its manager or ``actor``, told too). Returns what was handed over."""
        async with write_transaction(self._session):
            # The member and the heir locked together, in id order: two presses make one
            # hand-over, and the heir cannot be deactivated (or hand to this member) meanwhile.
            keys = sorted({member_id} if hand_to is None else {member_id, hand_to})
            held = {key: await locked(self._session, User, key) for key in keys}
            target = held[member_id]
            if target is None or not access.is_staff(actor):
                raise NotAllowed()
            if not access.can_manage_member(actor, target):
                raise NotAllowed()
            if not target.active:
                raise Conflict(ErrorCode.ALREADY_INACTIVE)
            counts = Counts()
            if hand_to is not None:
                heir = held[hand_to]  # as locked: still active, or refused
                if heir is None or not heir.active or heir.id == target.id:
                    raise InvalidInput(ErrorCode.NO_SUCH_MEMBER)
                counts, others = await self._hand_over(target.id, heir, actor)
                if counts != Counts():  # nothing moved (it went elsewhere meanwhile): no news
                    events.record(
                        self._session,
                        self._clock,
                        events.EventKind.MEMBER_HANDED_OVER,
                        actor.id,
                        data=MemberHandedOver(
                            member_id=target.id,
                            to=heir.id,
                            clients=counts.clients,
                            deals=counts.deals,
                            tasks=counts.tasks,
                            records=counts.records,
                        ),
                    )
                    mine = replace(counts, tasks_elsewhere=0)  # the heir's own share
                    told = {heir.id: mine, **{k: Counts(tasks=n) for k, n in others.items()}}
                    for member, given in told.items():
                        if given == Counts():
                            continue
                        payload = {"member_id": target.id, **given.__dict__}
                        await notices.tell(
                            self._session,
                            self._clock,
                            outbox.OutboxKind.HANDED_OVER,
                            member,
                            actor.id,
                            payload,
                        )
            target.active = False
            events.record(
                self._session,
                self._clock,
                events.EventKind.MEMBER_DEACTIVATED,
                actor.id,
                data=MemberActive(member_id=target.id),
            )
            await notices.member_changed(self._session, self._clock, target, actor.id, False)
            return counts

    async def member_preview(self, actor: User, member_id: int) -> Counts:
        """What ``member_id`` holds (for "deactivate and hand over to…?"); staff only."""
        target = await self._session.get(User, member_id)
        if target is None or not access.is_staff(actor):
            raise NotAllowed()
        if not access.can_manage_member(actor, target):
            raise NotAllowed()

        async def count(model: type[Client | Deal | Task | Record], *where: Any) -> int:
            found = await self._session.scalar(
                select(func.count()).select_from(model).where(*where)
            )
            return int(found or 0)

        return Counts(
            clients=await count(Client, Client.manager_id == target.id),
            deals=await count(Deal, Deal.manager_id == target.id),
            tasks=await count(Task, Task.assignee_id == target.id, Task.done_at.is_(None)),
            records=await count(Record, Record.manager_id == target.id),
        )

    async def client_deletion_preview(self, actor: User, client_id: int) -> Counts:
        """How many deals and tasks go with the client (for "delete?"); owners only."""
        if not can_delete(actor):
            raise NotAllowed()
        client = await self._clients.visible(actor, client_id)
        deals = await self._session.scalar(
            select(func.count()).select_from(Deal).where(Deal.client_id == client.id)
        )
        tasks = await self._session.scalar(
            select(func.count()).select_from(Task).where(Task.client_id == client.id)
        )
        return Counts(clients=1, deals=int(deals or 0), tasks=int(tasks or 0))

    async def _hand_over(self, old: int, heir: User, actor: User) -> tuple[Counts, Counter[int]]:
        """The cards first, so that a task's card is seen as it is after the hand-over."""
        moved: dict[str, int] = {}
        for model in (Client, Deal, Record):
            result = await self._session.execute(
                update(model).where(model.manager_id == old).values(manager_id=heir.id)
            )
            moved[model.__tablename__] = int(getattr(result, "rowcount", 0) or 0)
        see_all = await self._settings.managers_see_all()
        tasks, others = await hand_tasks(self._session, see_all, old, heir, actor)
        counts = Counts(
            clients=moved[Client.__tablename__],
            deals=moved[Deal.__tablename__],
            tasks=tasks,
            records=moved[Record.__tablename__],
            tasks_elsewhere=sum(others.values()),
        )
        return counts, others
