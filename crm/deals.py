"""Deals: a sale as a process that starts, passes stages, and ends won or lost.

Any stage may be skipped and deals may move back; every move writes one event both timelines
show. Managers change their own deals (and unassigned ones); owners and admins any they see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import deal_assign, events, groups, row_locks
from crm.access import can_change_deal, is_staff
from crm.automation import triggers
from crm.cards import Fill
from crm.clients import Clients
from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed, NotFound, refuse_filled
from crm.event_data import DealChanged, DealCreated, StageMove, data_of, stage_move
from crm.events import EventKind
from crm.parsing.search_text import fold, one_line
from crm.pipeline import MAX_REASON, Pipelines
from storage.engine import write_transaction
from storage.models import Deal, Event, User

MAX_TITLE = 200


class Deals:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        config: CrmConfig,
        clients: Clients,
        pipelines: Pipelines,
    ) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._clients = clients
        self._pipelines = pipelines

    async def visible(self, actor: User, deal_id: int) -> Deal:
        """The deal if its client is visible to ``actor``; NotFound otherwise."""
        deal = await self._session.get(Deal, deal_id)
        if deal is None:
            raise NotFound()
        await self._clients.visible(actor, deal.client_id)
        return deal

    async def check_client(self, actor: User, client_id: int) -> None:
        """Raise NotFound unless ``actor`` sees the client (and so its deals)."""
        await self._clients.visible(actor, client_id)

    async def changeable(self, actor: User, deal_id: int) -> Deal:
        deal = await self.visible(actor, deal_id)
        if not can_change_deal(actor, deal):
            raise NotAllowed()
        return deal

    async def create(
        self, actor: User, client_id: int, amount_minor: int, title: str | None = None, *fill: Fill
    ) -> Deal:
        if amount_minor < 0:
            raise InvalidInput(ErrorCode.NEGATIVE_AMOUNT)
        async with write_transaction(self._session):
            client = await self._clients.visible(actor, client_id)
            name = one_line(title or "") or client.name
            if len(name) > MAX_TITLE:
                raise InvalidInput(ErrorCode.TOO_LONG, field="title", limit=MAX_TITLE)
            pipeline_id = await self._pipelines.default_pipeline_id()
            first = next(s for s in await self._pipelines.stages(pipeline_id) if s.kind == "open")
            now = self._clock.now()
            deal = Deal(
                client_id=client.id,
                pipeline_id=pipeline_id,
                stage_id=first.id,
                title=name,
                title_folded=fold(name),
                amount_minor=amount_minor,
                currency=self._config.currency,
                manager_id=actor.id,
                created_by=actor.id,
                created_at=now,
                stage_changed_at=now,
                last_activity_at=now,
            )
            self._session.add(deal)
            await self._session.flush()
            client.last_activity_at = now
            await groups.announce_opened(self._session, now, deal, client.name, actor.id)
            created = events.record(
                self._session,
                self._clock,
                EventKind.DEAL_CREATED,
                actor.id,
                client_id=client.id,
                deal_id=deal.id,
                data=DealCreated(
                    title=name,
                    amount=amount_minor,
                    currency=deal.currency,
                    to=first.id,
                    to_code=first.code,
                    to_name=first.name,
                ),
            )
            for then in fill:  # its custom values (crm.new_cards), before the trigger sees it
                await then(deal)
            await triggers.on_event(self._session, self._clock, created)
            return deal

    async def move(
        self, actor: User, deal_id: int, stage_id: int, reason: str | None = None, at: int = 0
    ) -> Deal:
        """Put the deal on any stage: forward, back, skipping, won, or lost (with a reason).
        ``at``: the stage the member saw it on (0: any); moved since, it is refused."""
        async with write_transaction(self._session):
            await row_locks.deal_locked(self._session, deal_id)
            deal = await self.changeable(actor, deal_id)
            target = await self._pipelines.stage(stage_id)
            if target.pipeline_id != deal.pipeline_id:
                raise Conflict(ErrorCode.STAGE_GONE)
            if target.id == deal.stage_id:
                raise Conflict(ErrorCode.ALREADY_ON_STAGE)
            if at and at != deal.stage_id:
                raise Conflict(ErrorCode.STAGE_CHANGED)
            source = await self._pipelines.stage(deal.stage_id)
            now = self._clock.now()
            data = stage_move(source, target)
            data["amount"], data["currency"] = deal.amount_minor, deal.currency
            if target.kind == "lost":
                cleaned = one_line(reason or "")
                if not cleaned:
                    raise InvalidInput(ErrorCode.EMPTY, field="reason")
                if len(cleaned) > MAX_REASON:
                    raise InvalidInput(ErrorCode.TOO_LONG, field="reason", limit=MAX_REASON)
                deal.lost_reason = cleaned
                data["reason"] = cleaned
            else:
                deal.lost_reason = None
            if target.kind == "open":
                kind = EventKind.DEAL_REOPENED if source.kind != "open" else EventKind.STAGE_CHANGED
                deal.closed_at = None
            else:
                kind = EventKind.DEAL_WON if target.kind == "won" else EventKind.DEAL_LOST
                deal.closed_at = now
            deal.stage_id = target.id
            deal.stage_changed_at = now
            if target.kind != "open":
                won = target.kind == "won"
                await groups.announce_closed(self._session, now, deal, won, actor.id)
            await self._touch(deal)
            moved = events.record(
                self._session,
                self._clock,
                kind,
                actor.id,
                client_id=deal.client_id,
                deal_id=deal.id,
                data=data,
            )
            await triggers.on_event(self._session, self._clock, moved)
            return deal

    async def reopen(self, actor: User, deal_id: int) -> Deal:
        """Back to the open stage it was closed from (or the first, if that one is gone)."""
        deal = await self.changeable(actor, deal_id)
        if deal.closed_at is None:
            raise Conflict(ErrorCode.ALREADY_OPEN)
        stages = await self._pipelines.stages(deal.pipeline_id)
        opened = {s.id for s in stages if s.kind == "open"}
        closing = await self._session.scalar(
            select(Event)
            .where(Event.deal_id == deal.id, Event.kind.in_(("deal_won", "deal_lost")))
            .order_by(Event.id.desc())
            .limit(1)
        )
        previous = data_of(closing, StageMove).get("from") if closing is not None else None
        target = previous if previous in opened else next(s.id for s in stages if s.kind == "open")
        return await self.move(actor, deal_id, int(str(target)))

    async def set_amount(
        self, actor: User, deal_id: int, amount_minor: int, only_if_empty: bool = False
    ) -> Deal:
        """``only_if_empty``: refused (``FILLED_MEANWHILE``) if the amount is not 0 now. An
        amount typed for a deal that follows its product lines stops it following them (the
        next line changed would write over it)."""
        if amount_minor < 0:
            raise InvalidInput(ErrorCode.NEGATIVE_AMOUNT)
        return await self._change(actor, deal_id, "amount_minor", amount_minor, only=only_if_empty)

    async def set_title(self, actor: User, deal_id: int, title: str) -> Deal:
        name = one_line(title)
        if not name:
            raise InvalidInput(ErrorCode.EMPTY, field="title")
        if len(name) > MAX_TITLE:
            raise InvalidInput(ErrorCode.TOO_LONG, field="title", limit=MAX_TITLE)
        return await self._change(actor, deal_id, "title", name)

    async def set_expected_close(self, actor: User, deal_id: int, day: date | None) -> Deal:
        return await self._change(actor, deal_id, "expected_close", day)

    async def set_manager(self, actor: User, deal_id: int, manager_id: int | None) -> Deal:
        if not is_staff(actor):
            raise NotAllowed()
        manager = None if manager_id is None else await self._session.get(User, manager_id)
        if manager_id is not None and (manager is None or not manager.active):
            raise InvalidInput(ErrorCode.NO_SUCH_MEMBER)
        return await self._change(actor, deal_id, "manager_id", manager_id, manager)

    async def comment(self, actor: User, deal_id: int, text: str) -> Event:
        from crm.timeline import clean_note

        note = clean_note(text)
        async with write_transaction(self._session):
            await row_locks.deal_locked(self._session, deal_id)
            deal = await self.visible(actor, deal_id)
            await self._touch(deal)
            event = events.record(
                self._session,
                self._clock,
                EventKind.COMMENT,
                actor.id,
                client_id=deal.client_id,
                deal_id=deal.id,
                text=note,
            )
            await self._session.flush()
            return event

    async def _change(
        self, actor: User, deal_id: int, field: str, value: object, to: User | None = None,
        only: bool = False,
    ) -> Deal:  # fmt: skip
        async with write_transaction(self._session):
            await row_locks.deal_locked(self._session, deal_id)
            deal = await self.changeable(actor, deal_id)
            old = getattr(deal, field)
            refuse_filled(only, old)
            if old == value:
                return deal
            if to is not None:  # a new manager: one who sees the client, and is told
                await deal_assign.give(self._session, self._clients, self._clock, deal, to, actor)
            setattr(deal, field, value)
            if field == "amount_minor":
                deal.amount_from_lines = False  # typed: no longer the lines' total
            deal.title_folded = fold(deal.title)
            await self._touch(deal)
            shown = {"amount_minor": "amount", "expected_close": "expected_close"}.get(field, field)
            changed = events.record(
                self._session,
                self._clock,
                EventKind.DEAL_CHANGED,
                actor.id,
                client_id=deal.client_id,
                deal_id=deal.id,
                data=DealChanged(
                    field=shown,
                    old=old.isoformat() if isinstance(old, date) else old,
                    new=value.isoformat() if isinstance(value, date) else value,
                    currency=deal.currency,
                ),
            )
            await triggers.on_event(self._session, self._clock, changed)
            return deal

    async def _touch(self, deal: Deal) -> None:
        now = self._clock.now()
        deal.last_activity_at = now
        client = await self._clients.visible_unchecked(deal.client_id)
        if client is not None:
            client.last_activity_at = now
