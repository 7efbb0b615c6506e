"""The incoming queue: new leads nobody has yet, taken with one tap or thrown out as spam.

"Take it" is a conditional UPDATE (only while nobody has the lead), so when two
members press at once exactly one row changes: the winner's; the other is
told who has it. Taking and spamming lock the lead's client and deal first, as the
deal's other writers do, so they wait for a member changing them and see the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, visibility
from crm.cards import CardKind, CardRef
from crm.clock import Clock
from crm.errors import Conflict, ErrorCode, NotAllowed, NotFound
from crm.event_data import StageMove
from crm.intake.spam_card import CardFate, card_fate
from crm.row_locks import cards_locked, deal_locked
from crm.team_settings import TeamSettings
from storage.engine import write_transaction
from storage.models import Client, Deal, Lead, LeadSource, Stage, User

QUEUE_PAGE = 20
SPAM_REASON = "spam"
# A queued lead's columns, in ``QueuedLead``'s order.
_QUEUED = (
    Lead.id,
    Lead.client_id,
    Client.name,
    LeadSource.name,
    Lead.channel,
    Lead.received_at,
    Lead.deal_id,
)


@dataclass(frozen=True)
class QueuedLead:
    lead_id: int
    client_id: int
    name: str
    source: str | None
    channel: str
    received_at: datetime
    deal_id: int | None


@dataclass(frozen=True)
class Spammed:
    """A lead thrown out as spam, whether its deal went to the lost stage (a deal already
    closed, or one whose pipeline has no lost stage, stays as it was), and what became of
    its card (crm.intake.spam_card)."""

    lead: Lead
    deal_lost: bool
    card: CardFate = CardFate.KEPT


class IncomingQueue:
    def __init__(self, session: AsyncSession, clock: Clock, settings: TeamSettings) -> None:
        self._session = session
        self._clock = clock
        self._settings = settings

    async def waiting(
        self, actor: User, limit: int = QUEUE_PAGE, offset: int = 0
    ) -> list[QueuedLead]:
        """Unassigned leads from every channel, newest first: those of clients ``actor`` sees
        (a queued lead's card may have been given to someone meanwhile); ``offset`` of them
        passed over (a page of the queue past the first)."""
        rows = await self._session.execute(
            select(*_QUEUED)
            .join(Client, Client.id == Lead.client_id)
            .outerjoin(LeadSource, LeadSource.id == Lead.source_id)
            .where(*await self._waiting_for(actor))
            .order_by(Lead.received_at.desc(), Lead.id.desc())
            .limit(max(1, min(limit, 100)))
            .offset(max(0, offset))
        )
        return [
            QueuedLead(lead_id, client_id, name, source, channel, received_at, deal_id)
            for lead_id, client_id, name, source, channel, received_at, deal_id in rows.all()
            if client_id is not None
        ]

    async def waiting_on(self, actor: User, client_id: int) -> QueuedLead | None:
        """The newest lead ``actor`` may take on this client (None: none): a card held by a
        member who has left is not theirs to open, but its queued lead is theirs to take."""
        rows = await self._session.execute(
            select(*_QUEUED)
            .join(Client, Client.id == Lead.client_id)
            .outerjoin(LeadSource, LeadSource.id == Lead.source_id)
            .where(Lead.client_id == client_id, *await self._waiting_for(actor))
            .order_by(Lead.received_at.desc(), Lead.id.desc())
            .limit(1)
        )
        row = rows.first()
        if row is None:
            return None
        lead_id, _client, name, source, channel, received_at, deal_id = row
        return QueuedLead(lead_id, client_id, name, source, channel, received_at, deal_id)

    async def waiting_count(self, actor: User) -> int:
        """How many leads ``waiting`` has for ``actor`` in all."""
        counted = select(func.count()).select_from(Lead).join(Client, Client.id == Lead.client_id)
        return int(await self._session.scalar(counted.where(*await self._waiting_for(actor))) or 0)

    async def _waiting_for(self, actor: User) -> tuple[ColumnElement[bool], ...]:
        _require_member(actor)
        see_all = await self._settings.managers_see_all()
        return (
            Lead.taken_by.is_(None),
            Lead.spam_at.is_(None),
            _open_to(actor, see_all),
        )

    async def take(self, actor: User, lead_id: int) -> Lead:
        _require_member(actor)
        async with write_transaction(self._session):
            await self._cards_locked(lead_id)
            now = self._clock.now()
            result = await self._session.execute(
                update(Lead)
                .where(await self._queued_for(actor, lead_id))
                .values(taken_by=actor.id, taken_at=now)
                .execution_options(synchronize_session=False)
            )
            lead = await self._session.get(Lead, lead_id, populate_existing=True)
            if lead is None or lead.client_id is None:
                raise NotFound()
            if not getattr(result, "rowcount", 0):
                if lead.spam_at is not None:
                    raise Conflict(ErrorCode.LEAD_SPAM)
                if lead.taken_by is None:
                    raise NotFound()  # waiting, on a client the actor does not see
                holder = await self._session.get(User, lead.taken_by)
                if holder is not None and holder.id == actor.id:
                    raise Conflict(ErrorCode.LEAD_YOURS)
                raise Conflict(ErrorCode.LEAD_TAKEN, name=holder.full_name if holder else "—")
            client = await self._session.get(Client, lead.client_id)
            if client is not None and await self._free(client.manager_id):
                client.manager_id = actor.id
            if lead.deal_id is not None:
                deal = await self._session.get(Deal, lead.deal_id)
                if deal is not None and await self._free(deal.manager_id):
                    deal.manager_id = actor.id
            events.record(
                self._session,
                self._clock,
                "lead_taken",
                actor.id,
                client_id=lead.client_id,
                deal_id=lead.deal_id,
                data={"lead_id": lead.id},
            )
            return lead

    async def spam(self, actor: User, lead_id: int) -> Spammed:
        """Out of the queue, its deal lost; a card only spam brought in, made or brought
        back from the archive, is archived (crm.intake.spam_card), with the reason."""
        _require_member(actor)
        async with write_transaction(self._session):
            await self._cards_locked(lead_id)
            now = self._clock.now()
            result = await self._session.execute(
                update(Lead)
                .where(await self._queued_for(actor, lead_id))
                .values(spam_at=now)
                .execution_options(synchronize_session=False)
            )
            lead = await self._session.get(Lead, lead_id, populate_existing=True)
            if lead is None or lead.client_id is None:
                raise NotFound()
            if not getattr(result, "rowcount", 0):
                if lead.spam_at is not None:
                    raise Conflict(ErrorCode.LEAD_SPAM)
                if lead.taken_by is None:
                    raise NotFound()  # waiting, on a client the actor does not see
                holder = await self._session.get(User, lead.taken_by)
                raise Conflict(ErrorCode.LEAD_TAKEN, name=holder.full_name if holder else "—")
            deal_lost = lead.deal_id is not None and await self._lose_deal(lead.deal_id, actor, now)
            client = await self._session.get(Client, lead.client_id)
            fate = CardFate.KEPT if client is None else await card_fate(self._session, lead, client)
            if fate.archives and client is not None and client.archived_at is None:
                client.archived_at = now
            events.record(
                self._session,
                self._clock,
                "lead_spam",
                actor.id,
                client_id=lead.client_id,
                deal_id=lead.deal_id,
                text=SPAM_REASON,
                data={"lead_id": lead.id, "archived": fate.archives},
            )
            return Spammed(lead, deal_lost, fate)

    async def _cards_locked(self, lead_id: int) -> None:
        """The lead's client, its deal and the deal's client locked before the lead and read
        afresh, in the order the deal's writers lock them (crm.row_locks): on PostgreSQL
        spam wrote the deal, then the client, and deadlocked with a member changing the
        deal (who holds the client first), and both decided from a deal or a client read
        before another member's change to it was committed, and wrote over that change."""
        found = await self._session.execute(
            select(Lead.client_id, Lead.deal_id).where(Lead.id == lead_id)
        )
        row = found.first()
        if row is None:  # no such lead: the update below finds none either
            return
        client = [CardRef(CardKind.CLIENT, row.client_id)] if row.client_id is not None else []
        if row.deal_id is not None:
            await deal_locked(self._session, row.deal_id, *client)
        else:
            await cards_locked(self._session, client)

    async def _queued_for(self, actor: User, lead_id: int) -> ColumnElement[bool]:
        """The lead while it waits and its client is one ``actor`` sees: a lead queued before
        its card went to someone else is theirs to take or throw out, not everyone's."""
        see_all = await self._settings.managers_see_all()
        return and_(
            Lead.id == lead_id,
            Lead.taken_by.is_(None),
            Lead.spam_at.is_(None),
            Lead.client_id.in_(select(Client.id).where(_open_to(actor, see_all))),
        )

    async def _free(self, manager_id: int | None) -> bool:
        """A card (or deal) nobody holds: no manager, or one who has left the team."""
        if manager_id is None:
            return True
        holder = await self._session.get(User, manager_id)
        return holder is None or not holder.active

    async def _lose_deal(self, deal_id: int, actor: User, now: datetime) -> bool:
        """The deal to the lost stage, closed at ``now``: the lead's ``spam_at``, which tells
        it from a lost sale (crm.lost_reasons.not_spam). False when it stays as it was."""
        deal = await self._session.get(Deal, deal_id)
        if deal is None or deal.closed_at is not None:
            return False
        lost = await self._session.scalar(
            select(Stage)
            .where(Stage.pipeline_id == deal.pipeline_id, Stage.kind == "lost")
            .order_by(Stage.position)
            .limit(1)
        )
        if lost is None:
            return False
        source_stage = deal.stage_id
        deal.stage_id, deal.closed_at, deal.lost_reason = lost.id, now, SPAM_REASON
        deal.stage_changed_at = deal.last_activity_at = now
        lost_move: StageMove = {
            "from": source_stage,
            "to": lost.id,
            "to_code": lost.code,
            "to_name": lost.name,
            "amount": deal.amount_minor,
            "currency": deal.currency,
            "reason": SPAM_REASON,
        }
        events.record(
            self._session,
            self._clock,
            events.EventKind.DEAL_LOST,
            actor.id,
            client_id=deal.client_id,
            deal_id=deal.id,
            data=lost_move,
        )
        return True


def _open_to(actor: User, see_all: bool) -> ColumnElement[bool]:
    """The clients whose queued leads ``actor`` may see and take: those they see, and
    those still held by a member who has left (deactivated without a hand-over, or
    before hand-over existed), as free as a card without a manager."""
    departed = select(User.id).where(User.active.is_(False))
    return or_(visibility.visible_clients(actor, see_all), Client.manager_id.in_(departed))


def _require_member(actor: User) -> None:
    if not actor.active:
        raise NotAllowed()
