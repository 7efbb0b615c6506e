"""Taking in form submissions in batches: a few statements for many leads, one transaction.

Under load, leads arrive faster than one transaction per lead can commit on
SQLite (one writer; every statement is a round trip to the driver's thread),
so the web layer hands over whatever has queued up and this writes all of it
with set-based statements. Each lead still gets everything in the same
transaction as itself: its card (found by phone or email, or new), the
timeline lines, the deal, the assignment and the notices. Sources are locked
first (``FOR NO KEY UPDATE`` on PostgreSQL, as crm.row_locks locks; SQLite has one
writer anyway), so the dedupe check cannot race another batch for the same source
(nor the owner's change of it), then the known cards
the leads land on (crm.intake.batch_cards), so Spam cannot archive one under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind
from crm.clock import Clock
from crm.errors import CrmError, NotFound
from crm.field_defs import required_fields
from crm.intake.batch_cards import known_cards
from crm.intake.batch_fire import lead_rules, queue_lead_firings
from crm.intake.batch_rows import (
    Card,
    NewLead,
    assignee_for,
    card_name,
    client_row,
    deal_row,
    event_rows,
    find_card,
    lead_row,
    notice_rows,
)
from crm.intake.drafts import BODY_DEDUPE_WINDOW, LeadDraft
from storage.base import Base
from storage.engine import write_transaction
from storage.ids import reserve_ids, sqlite_tops
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    Deal,
    Event,
    GroupChat,
    Lead,
    LeadSource,
    OutboxMessage,
    Pipeline,
    Role,
    Stage,
    User,
)


@dataclass(frozen=True)
class Accepted:
    lead_id: int
    duplicate: bool


class BatchIntake:
    def __init__(self, session: AsyncSession, clock: Clock, currency: str) -> None:
        self._session = session
        self._clock = clock
        self._currency = currency
        self._tops: dict[str, int] | None = None  # SQLite: where new ids start, read once a batch

    async def accept(self, drafts: list[LeadDraft]) -> list[Accepted | CrmError]:
        """One outcome per draft, in order: the lead (new or the one retried), or a refusal."""
        results: list[Accepted | CrmError | None] = [None] * len(drafts)
        async with write_transaction(self._session):
            now = self._clock.now()
            sources = await self._sources(drafts)
            new: list[NewLead] = []
            first_of: dict[tuple[int, str], int] = {}  # a repeat inside the batch → its first
            repeats: list[tuple[int, int]] = []
            existing = await self._existing(drafts, sources)
            retired: list[dict[str, Any]] = []
            cards = await known_cards(self._session, drafts)
            members = (
                await self._session.execute(
                    select(User.id, User.role).where(User.active).order_by(User.id)
                )
            ).all()
            active = {member_id for member_id, _role in members}
            owners = [member_id for member_id, role in members if role == Role.OWNER]
            for index, draft in enumerate(drafts):
                source = sources.get(draft.token_hash)
                if source is None:
                    results[index] = NotFound()
                    continue
                key = (source.id, draft.dedupe_key)
                if key in first_of:
                    repeats.append((index, first_of[key]))
                    continue
                old = existing.get(key)
                if old is not None:
                    lead_id, received_at = old
                    if draft.dedupe_key.startswith("t:") or now - received_at < BODY_DEDUPE_WINDOW:
                        results[index] = Accepted(lead_id, duplicate=True)
                        continue
                    retired.append({"id": lead_id, "dedupe_key": f"{draft.dedupe_key}@{lead_id}"})
                first_of[key] = index
                card = find_card(cards, draft)
                made = card is None
                if card is None:
                    card = Card(None, card_name(draft, source.name), assignee_for(source, active))
                    card.source = source.name
                    card.phones = [draft.phone] if draft.phone else []
                    card.emails = [draft.email] if draft.email else []
                    for contact in (*card.phones, *card.emails):
                        cards[contact] = card
                # A known card's manager who has left is nobody's: the lead goes to the queue,
                # as one on a card without a manager does, never to the ex-member.
                manager = card.manager_id if card.manager_id in active else None
                new.append(NewLead(index, draft, source, draft.dedupe_key, card, made, manager))
            if retired:
                await self._session.execute(update(Lead), retired)
            if new:
                await self._write(new, now, owners)
                for item in new:
                    assert item.lead_id is not None
                    results[item.index] = Accepted(item.lead_id, duplicate=False)
            for index, first in repeats:
                accepted = results[first]
                assert isinstance(accepted, Accepted)
                results[index] = Accepted(accepted.lead_id, duplicate=True)
        return [r if r is not None else NotFound() for r in results]

    # --- reading what is there ------------------------------------------------------

    async def _sources(self, drafts: list[LeadDraft]) -> dict[str, LeadSource]:
        hashes = sorted({d.token_hash for d in drafts})
        rows = await self._session.scalars(
            select(LeadSource)
            .where(LeadSource.token_hash.in_(hashes), LeadSource.active)
            .order_by(LeadSource.id)
            .with_for_update(key_share=True)
        )
        return {source.token_hash: source for source in rows}

    async def _existing(
        self, drafts: list[LeadDraft], sources: dict[str, LeadSource]
    ) -> dict[tuple[int, str], tuple[int, datetime]]:
        keys = sorted({d.dedupe_key for d in drafts})
        ids = sorted({s.id for s in sources.values()})
        if not ids:
            return {}
        rows = await self._session.execute(
            select(Lead.source_id, Lead.dedupe_key, Lead.id, Lead.received_at).where(
                Lead.source_id.in_(ids), Lead.dedupe_key.in_(keys)
            )
        )
        return {(s, str(k)): (i, r) for s, k, i, r in rows.all() if s is not None}

    # --- writing ------------------------------------------------------------------------

    async def _write(self, new: list[NewLead], now: datetime, owners: list[int]) -> None:
        await self._read_tops()
        made = list({id(i.card): i.card for i in new if i.made_card}.values())
        client_rows: dict[int | None, dict[str, Any]] = {}
        deal_rows: dict[int | None, dict[str, Any]] = {}
        if made:
            for card, client_id in zip(made, await self._new_ids(Client, len(made)), strict=True):
                card.id = client_id
            client_rows = {card.id: client_row(card, now) for card in made}
            await self._session.execute(insert(_table(Client)), list(client_rows.values()))
            phones = [
                {"client_id": c.id, "e164": p, "digits": p.lstrip("+")}
                for c in made
                for p in c.phones
            ]
            emails = [{"client_id": c.id, "email": e} for c in made for e in c.emails]
            if phones:
                await self._session.execute(insert(_table(ClientPhone)), phones)
            if emails:
                await self._session.execute(insert(_table(ClientEmail)), emails)
        dealing = [i for i in new if i.source.open_deal]
        first_stage = await self._first_stage() if dealing else None
        if dealing and first_stage is not None:
            for item, deal_id in zip(dealing, await self._new_ids(Deal, len(dealing)), strict=True):
                item.deal_id = deal_id
            deal_rows = {i.deal_id: deal_row(i, first_stage, now, self._currency) for i in dealing}
            await self._session.execute(insert(_table(Deal)), list(deal_rows.values()))
        for item, lead_id in zip(new, await self._new_ids(Lead, len(new)), strict=True):
            item.lead_id = lead_id
        await self._session.execute(insert(_table(Lead)), [lead_row(i, now) for i in new])
        missing = {
            kind: list((await required_fields(self._session, kind)).values())
            for kind in (CardKind.CLIENT, CardKind.DEAL)
        }
        rows = event_rows(new, first_stage, now, self._currency, missing)
        rules = await lead_rules(self._session)
        if rules:  # their firings name the events: ids given beforehand
            for row, event_id in zip(rows, await self._new_ids(Event, len(rows)), strict=True):
                row["id"] = event_id
        await self._session.execute(insert(_table(Event)), rows)
        if rules:
            await queue_lead_firings(self._session, now, rules, rows, client_rows, deal_rows)
        await self._notify(new, now, owners)
        known = sorted({i.card.id for i in new if not i.made_card and i.card.id is not None})
        if known:
            # An archived card a lead came in on is restored, or its lead and deal were
            # out of every list (the timeline's "unarchived" line says why).
            await self._session.execute(
                update(Client), [{"id": cid, "last_activity_at": now} for cid in known]
            )
            restored = [
                cid for cid in known if any(i.card.archived and i.card.id == cid for i in new)
            ]
            if restored:
                await self._session.execute(
                    update(Client), [{"id": cid, "archived_at": None} for cid in restored]
                )
        turned = {i.source.id: i.source for i in new if i.source.assign == "round_robin"}
        if turned:
            await self._session.execute(
                update(LeadSource), [{"id": s.id, "turn": s.turn} for s in turned.values()]
            )

    async def _new_ids(self, model: type[Client | Deal | Lead | Event], count: int) -> list[int]:
        """Ids for ``count`` new rows, in order, so one executemany inserts them all."""
        if self._tops is None:
            return await reserve_ids(self._session, model, count)
        top = self._tops[model.__tablename__]
        return list(range(top + 1, top + 1 + count))

    async def _read_tops(self) -> None:
        """SQLite: where each table's new ids start, read once for the batch."""
        self._tops = None
        if self._session.get_bind().dialect.name != "postgresql":
            tables = [model.__tablename__ for model in (Client, Deal, Lead, Event)]
            self._tops = await sqlite_tops(self._session, tables)

    async def _first_stage(self) -> Stage | None:
        pipeline_id = (
            select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1).scalar_subquery()
        )
        return await self._session.scalar(
            select(Stage)
            .where(Stage.pipeline_id == pipeline_id, Stage.kind == "open")
            .order_by(Stage.position, Stage.id)
            .limit(1)
        )

    async def _notify(self, new: list[NewLead], now: datetime, owners: list[int]) -> None:
        groups = list(await self._session.scalars(select(GroupChat)))
        rows = notice_rows(new, owners, groups, now, self._currency)
        if rows:
            await self._session.execute(insert(_table(OutboxMessage)), rows)


def _table(model: type[Base]) -> Table:
    """The model's table, for Core executemany inserts (one call for many rows)."""
    return cast(Table, model.__table__)
