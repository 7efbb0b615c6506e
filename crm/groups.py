"""The team's group chats: binding one, choosing what it hears, and telling it.

Announcements are outbox rows written in the transaction of the change they
announce (a new client, a new deal, a deal won or lost) or on the tick (tasks
overdue by more than a day), one per subscribed group under a unique key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm import outbox
from crm.access import is_staff
from crm.clock import Before, Clock, before
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed
from crm.row_locks import locked
from storage.engine import write_transaction
from storage.models import Deal, GroupChat, OutboxMessage, Role, Task, User

TOPICS = ("new_client", "new_deal", "deal_won", "deal_lost", "task_overdue")
"""What ``announce`` tells a group: each a ``group_<topic>`` outbox kind, folded in bursts."""
LEADS = "lead_queue"
"""Leads nobody has taken yet (crm.intake): each its own message with its buttons."""
SWITCHES = ("new_client", LEADS, "new_deal", "deal_won", "deal_lost", "task_overdue")
"""What a group can hear, switched one by one, in the order its screen lists them."""
OVERDUE_AFTER = timedelta(days=1)


def hearing_leads(owners: Iterable[int], groups: Iterable[GroupChat]) -> list[int]:
    """Who is told of a lead nobody holds (a queued lead): the active owners given, then the
    group chats switched to hear of such leads."""
    return [*owners, *(group.chat_id for group in groups if LEADS in group.subscriptions)]


async def announce(
    session: AsyncSession,
    now: datetime,
    topic: str,
    key: str,
    payload: dict[str, Any],
    happened: datetime | None = None,
) -> None:
    """Queue ``topic`` for every group subscribed to it (inside the caller's transaction);
    with ``happened``, only for the groups bound by then (news from before is not theirs)."""
    groups = await session.scalars(select(GroupChat))
    for group in groups:
        if topic in group.subscriptions and (happened is None or group.bound_at <= happened):
            await outbox.enqueue(
                session,
                chat_id=group.chat_id,
                kind=outbox.group_kind(topic),
                payload=payload,
                dedupe_key=f"group:{group.chat_id}:{topic}:{key}",
                now=now,
            )


def opened_news(
    deal_id: int, title: str, client: str, amount: int, currency: str, by: int | None
) -> dict[str, Any]:
    """A new deal as the groups hear of it (``by``: the member who made it; None: a lead, a
    chat); a form's batch writes its rows with it itself (``crm.intake.batch_rows``)."""
    return {
        "deal_id": deal_id,
        "title": title,
        "client": client,
        "amount": amount,
        "currency": currency,
        "by": by,
    }


async def announce_opened(
    session: AsyncSession, now: datetime, deal: Deal, client: str, by: int | None
) -> None:
    """A deal just made, to the groups that hear of new deals (``client``: its client's
    name)."""
    news = opened_news(deal.id, deal.title, client, deal.amount_minor, deal.currency, by)
    await announce(session, now, "new_deal", card_key(deal.id, deal.created_at), news)


async def announce_closed(
    session: AsyncSession, now: datetime, deal: Deal, won: bool, by: int | None
) -> None:
    """A deal just won or lost (``by``: the member who closed it; None: a rule did)."""
    payload = {
        "deal_id": deal.id,
        "title": deal.title,
        "amount": deal.amount_minor,
        "currency": deal.currency,
        "reason": deal.lost_reason,
        "by": by,
    }
    topic = "deal_won" if won else "deal_lost"
    await announce(session, now, topic, f"{deal.id}:{now.isoformat()}", payload)


def card_key(card_id: int, made_at: datetime) -> str:
    """A card's announcement key: its id and when it was made (SQLite gives a new row the
    id of the newest deleted one, whose announcement still holds the key of that id)."""
    return f"{card_id}:{made_at.isoformat()}"


class Groups:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    async def get(self, chat_id: int) -> GroupChat | None:
        return await self._session.get(GroupChat, chat_id)

    async def bind(self, actor: User, chat_id: int, title: str) -> GroupChat:
        """Bind the group, or bind it again: its binder (told when the bot can no longer write
        there) is the owner who bound it last; its switches and since when it hears stay."""
        _require_owner(actor)
        if chat_id >= 0:
            raise InvalidInput(ErrorCode.NOT_A_GROUP)
        async with write_transaction(self._session):
            group = await self._session.get(GroupChat, chat_id)
            if group is None:
                group = GroupChat(
                    chat_id=chat_id,
                    title=title[:256],
                    subscriptions=list(SWITCHES),
                    bound_by=actor.id,
                    bound_at=self._clock.now(),
                )
                self._session.add(group)
            else:  # bound again (by another owner): it follows the last binder
                group.title = title[:256]
                group.bound_by = actor.id
            return group

    async def unbind(self, actor: User, chat_id: int) -> None:
        _require_owner(actor)
        async with write_transaction(self._session):
            group = await self._session.get(GroupChat, chat_id)
            if group is None:
                raise Conflict(ErrorCode.NOT_BOUND)
            await self._session.delete(group)

    async def switch(
        self, actor: User, chat_id: int, topic: str, on: bool
    ) -> tuple[GroupChat, bool]:
        """The group hears ``topic`` (``on``) or not; whether that changed anything (a
        second press, or an old message's, finds it so already and leaves it)."""
        _require_owner(actor)
        if topic not in SWITCHES:
            raise InvalidInput(ErrorCode.BAD_TOPIC)
        async with write_transaction(self._session):
            group = await locked(self._session, GroupChat, chat_id)  # switches at once: turns
            if group is None:
                raise Conflict(ErrorCode.NOT_BOUND)
            topics = list(group.subscriptions)
            if (topic in topics) == on:
                return group, False
            group.subscriptions = [*topics, topic] if on else [t for t in topics if t != topic]
            return group, True

    async def migrated(self, old_id: int, new_id: int) -> None:
        """The group became a supergroup (Telegram gave it ``new_id``): its binding, its
        switches and what waits to be sent to it move there."""
        async with write_transaction(self._session):
            group = await self._session.get(GroupChat, old_id)
            if group is not None and await self._session.get(GroupChat, new_id) is None:
                self._session.add(
                    GroupChat(
                        chat_id=new_id,
                        title=group.title,
                        subscriptions=list(group.subscriptions),
                        bound_by=group.bound_by,
                        bound_at=group.bound_at,
                    )
                )
            if group is not None:
                await self._session.delete(group)
            await self._session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.chat_id == old_id,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.failed_at.is_(None),
                )
                .values(chat_id=new_id),
                execution_options={"synchronize_session": False},
            )

    async def bound(self) -> list[GroupChat]:
        return list(await self._session.scalars(select(GroupChat).order_by(GroupChat.bound_at)))

    @staticmethod
    def _overdue(at: Before) -> tuple[ColumnElement[bool], ...]:
        return (
            Task.done_at.is_(None),
            Task.announced_overdue_at.is_(None),
            Task.due_at <= at(OVERDUE_AFTER),
        )

    def overdue_now(self, at: Before) -> ColumnElement[bool]:
        """Whether a group chat has an overdue task to hear of. CASE, so that without a
        group chat the tasks are not looked at at all."""
        return case(
            (exists(select(GroupChat.chat_id)), exists(select(Task.id).where(*self._overdue(at)))),
            else_=False,
        )

    async def claim_overdue(self, limit: int = 200, checked: bool = False) -> int:
        """Announce, once each, the open tasks overdue by more than a day (a task given a
        new due time since, once more: its key names the due time). A group hears only of
        those that became overdue while it was bound (one bound late is not flooded with
        months-old tasks), and, as while its switch was off, never later of the others."""
        now = self._clock.now()
        overdue = self._overdue(before(now))
        # Read first: an idle tick (no group chat, nothing overdue) writes nothing.
        if not checked and not await self._session.scalar(select(self.overdue_now(before(now)))):
            return 0
        async with write_transaction(self._session):
            if not await self._session.scalar(select(GroupChat.chat_id).limit(1)):
                return 0
            tasks = list(
                await self._session.scalars(
                    select(Task)
                    .where(*overdue)
                    .order_by(Task.due_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for task in tasks:
                task.announced_overdue_at = now
                await announce(
                    self._session,
                    now,
                    "task_overdue",
                    f"{card_key(task.id, task.created_at)}:{task.due_at:%Y%m%dT%H%M%S}",
                    {
                        "task_id": task.id,
                        "title": task.title,
                        "assignee_id": task.assignee_id,
                        "due_at": task.due_at.isoformat(),
                    },
                    happened=task.due_at + OVERDUE_AFTER,
                )
            return len(tasks)

    async def still_overdue(self, items: list[dict[str, Any]]) -> list[User | None]:
        """For each overdue announcement of ``items``, its task's assignee (now) while the
        task is still open and overdue at the due time it was announced for; None for one
        done, cancelled or moved on since it was queued (a row queued before it named its
        due time: open and overdue will do)."""
        ids = {int(item.get("task_id") or 0) for item in items}
        now = self._clock.now()
        rows = await self._session.execute(
            select(Task, User)
            .join(User, User.id == Task.assignee_id)
            .where(Task.id.in_(ids), Task.done_at.is_(None))
        )
        tasks = {task.id: (task, user) for task, user in rows if task.due_at <= now - OVERDUE_AFTER}
        found: list[User | None] = []
        for item in items:
            task, user = tasks.get(int(item.get("task_id") or 0), (None, None))
            due = item.get("due_at")
            moved = task is not None and due and datetime.fromisoformat(due) != task.due_at
            found.append(None if moved else user)
        return found


def _require_owner(actor: User) -> None:
    if not (is_staff(actor) and actor.role == Role.OWNER):
        raise NotAllowed()
