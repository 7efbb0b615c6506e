"""Taking in form submissions in batches: a few statements for many leads, one transaction.

Under load, leads arrive faster than one transaction per lead can commit on
SQLite (one writer; every statement is a round trip to the driver's thread),
so the web layer hands over whatever has queued up and this writes all of it
with set-based statements. Each lead still gets everything in the same
transaction as itself: its card (found by phone or email, or new), the
timeline lines, the deal, the assignment and the notices. Sources are locked
first (``FOR UPDATE`` on PostgreSQL; SQLite has one writer anyway), so the
dedupe check cannot race another batch for the same source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.client_index import search_text
from crm.clients import clean_text
from crm.clock import Clock
from crm.errors import CrmError, NotFound
from crm.intake.drafts import BODY_DEDUPE_WINDOW, LeadDraft
from crm.parsing.search_text import fold
from storage.base import Base
from storage.engine import write_transaction
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

LEAD_NOTICE = "lead_new"  # to the member who got the lead
QUEUE_NOTICE = "lead_queue"  # to the owners and the team's group chats: nobody has it yet


@dataclass(frozen=True)
class Accepted:
    lead_id: int
    duplicate: bool


@dataclass
class _Card:
    """A client a lead lands on: known (``id`` set) or to be made in this batch."""

    id: int | None
    name: str
    manager_id: int | None
    source: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


@dataclass
class _New:
    index: int
    draft: LeadDraft
    source: LeadSource
    key: str
    card: _Card
    made_card: bool
    assignee: int | None
    deal_id: int | None = None
    lead_id: int | None = None


class BatchIntake:
    def __init__(self, session: AsyncSession, clock: Clock, currency: str) -> None:
        self._session = session
        self._clock = clock
        self._currency = currency

    async def accept(self, drafts: list[LeadDraft]) -> list[Accepted | CrmError]:
        """One outcome per draft, in order: the lead (new or the one retried), or a refusal."""
        results: list[Accepted | CrmError | None] = [None] * len(drafts)
        async with write_transaction(self._session):
            now = self._clock.now()
            sources = await self._sources(drafts)
            new: list[_New] = []
            first_of: dict[tuple[int, str], int] = {}  # a repeat inside the batch → its first
            repeats: list[tuple[int, int]] = []
            existing = await self._existing(drafts, sources)
            retired: list[dict[str, Any]] = []
            cards = await self._known_cards(drafts)
            active = set(await self._session.scalars(select(User.id).where(User.active)))
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
                card = _find_card(cards, draft)
                made = card is None
                if card is None:
                    card = _Card(None, _card_name(draft, source.name), _assignee(source, active))
                    card.source = source.name
                    card.phones = [draft.phone] if draft.phone else []
                    card.emails = [draft.email] if draft.email else []
                    for contact in (*card.phones, *card.emails):
                        cards[contact] = card
                new.append(
                    _New(index, draft, source, draft.dedupe_key, card, made, card.manager_id)
                )
            if retired:
                await self._session.execute(update(Lead), retired)
            if new:
                await self._write(new, now)
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
            .with_for_update()
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

    async def _known_cards(self, drafts: list[LeadDraft]) -> dict[str, _Card]:
        """Known clients by each phone and email of the batch."""
        phones = sorted({d.phone for d in drafts if d.phone})
        emails = sorted({d.email for d in drafts if d.email})
        found: dict[str, int] = {}
        if phones:
            rows = await self._session.execute(
                select(ClientPhone.e164, ClientPhone.client_id)
                .where(ClientPhone.e164.in_(phones))
                .order_by(ClientPhone.id)
            )
            for e164, client_id in rows.all():
                found.setdefault(e164, client_id)
        if emails:
            rows = await self._session.execute(
                select(ClientEmail.email, ClientEmail.client_id)
                .where(ClientEmail.email.in_(emails))
                .order_by(ClientEmail.id)
            )
            for email, client_id in rows.all():
                found.setdefault(email, client_id)
        if not found:
            return {}
        clients = await self._session.execute(
            select(Client.id, Client.name, Client.manager_id).where(
                Client.id.in_(set(found.values()))
            )
        )
        by_id = {cid: _Card(cid, name, manager) for cid, name, manager in clients.all()}
        return {contact: by_id[cid] for contact, cid in found.items() if cid in by_id}

    # --- writing ------------------------------------------------------------------------

    async def _write(self, new: list[_New], now: datetime) -> None:
        made = list({id(i.card): i.card for i in new if i.made_card}.values())
        if made:
            for card, client_id in zip(made, await self._new_ids(Client, len(made)), strict=True):
                card.id = client_id
            await self._session.execute(
                insert(_table(Client)), [_client_row(card, now) for card in made]
            )
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
            await self._session.execute(
                insert(_table(Deal)), [self._deal_row(i, first_stage, now) for i in dealing]
            )
        for item, lead_id in zip(new, await self._new_ids(Lead, len(new)), strict=True):
            item.lead_id = lead_id
        await self._session.execute(insert(_table(Lead)), [_lead_row(i, now) for i in new])
        await self._session.execute(insert(_table(Event)), self._event_rows(new, first_stage, now))
        await self._notify(new, now)
        known = sorted({i.card.id for i in new if not i.made_card and i.card.id is not None})
        if known:
            await self._session.execute(
                update(Client), [{"id": cid, "last_activity_at": now} for cid in known]
            )
        turned = {i.source.id: i.source for i in new if i.source.assign == "round_robin"}
        if turned:
            await self._session.execute(
                update(LeadSource), [{"id": s.id, "turn": s.turn} for s in turned.values()]
            )

    async def _new_ids(self, model: type[Client | Deal | Lead], count: int) -> list[int]:
        """Ids for ``count`` new rows, in order, so one executemany inserts them all.

        SQLite: above the largest id, safe because this transaction holds the
        only write lock. PostgreSQL: from the table's own sequence.
        """
        table = model.__tablename__
        if self._session.get_bind().dialect.name == "postgresql":
            rows = await self._session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                    "FROM generate_series(1, :count)"
                ),
                {"table": table, "count": count},
            )
            return [int(value) for value in rows]
        top = await self._session.scalar(select(func.coalesce(func.max(model.id), 0)))
        return list(range(int(top or 0) + 1, int(top or 0) + 1 + count))

    async def _first_stage(self) -> Stage | None:
        pipeline_id = await self._session.scalar(
            select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1)
        )
        return await self._session.scalar(
            select(Stage)
            .where(Stage.pipeline_id == pipeline_id, Stage.kind == "open")
            .order_by(Stage.position, Stage.id)
            .limit(1)
        )

    def _deal_row(self, item: _New, stage: Stage, now: datetime) -> dict[str, Any]:
        return {
            "id": item.deal_id,
            "client_id": item.card.id,
            "pipeline_id": stage.pipeline_id,
            "stage_id": stage.id,
            "title": item.card.name,
            "amount_minor": 0,
            "currency": self._currency,
            "manager_id": item.assignee,
            "created_at": now,
            "stage_changed_at": now,
            "last_activity_at": now,
        }

    def _event_rows(
        self, new: list[_New], stage: Stage | None, now: datetime
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []

        def event(kind: str, item: _New, text: str | None, data: dict[str, Any]) -> None:
            rows.append(
                {
                    "occurred_at": now,
                    "actor_id": None,
                    "kind": kind,
                    "client_id": item.card.id,
                    "deal_id": item.deal_id if kind == "deal_created" else None,
                    "task_id": None,
                    "text": text,
                    "data": data,
                }
            )

        for item in new:
            draft = item.draft
            if item.made_card:
                event(
                    "client_created",
                    item,
                    None,
                    {
                        "name": item.card.name,
                        "phones": item.card.phones,
                        "emails": item.card.emails,
                        "source": item.source.name,
                        "lead_id": item.lead_id,
                    },
                )
            event(
                "lead",
                item,
                draft.comment,
                {
                    "lead_id": item.lead_id,
                    "channel": "form",
                    "source_id": item.source.id,
                    "source": item.source.name,
                    "phone": draft.phone,
                    "email": draft.email,
                    "utm": draft.utm,
                    "fields": draft.fields,
                    "tranid": draft.tranid,
                },
            )
            if item.deal_id is not None and stage is not None:
                event(
                    "deal_created",
                    item,
                    None,
                    {
                        "title": item.card.name,
                        "amount": 0,
                        "currency": self._currency,
                        "to": stage.id,
                        "to_code": stage.code,
                        "to_name": stage.name,
                    },
                )
        return rows

    async def _notify(self, new: list[_New], now: datetime) -> None:
        owners = list(
            await self._session.scalars(
                select(User.id).where(User.role == Role.OWNER, User.active).order_by(User.id)
            )
        )
        groups = list(await self._session.scalars(select(GroupChat)))
        rows: dict[str, dict[str, Any]] = {}

        def queue(chat_id: int, kind: str, key: str, payload: dict[str, Any]) -> None:
            rows[key] = {
                "dedupe_key": key,
                "chat_id": chat_id,
                "kind": kind,
                "payload": payload,
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
            }

        for item in new:
            payload = {
                "lead_id": item.lead_id,
                "client_id": item.card.id,
                "deal_id": item.deal_id,
                "source": item.source.name,
                "name": item.card.name,
                "phone": item.draft.phone,
                "email": item.draft.email,
                "comment": (item.draft.comment or "")[:500] or None,
            }
            if item.assignee is not None:
                queue(item.assignee, LEAD_NOTICE, f"lead:{item.lead_id}:{item.assignee}", payload)
                for group in groups:
                    if item.made_card and "new_client" in group.subscriptions:
                        queue(
                            group.chat_id,
                            "group_new_client",
                            f"group:{group.chat_id}:new_client:{item.card.id}",
                            {
                                "client_id": item.card.id,
                                "name": item.card.name,
                                "company": None,
                                "by": None,
                            },
                        )
                continue
            for chat_id in [*owners, *(g.chat_id for g in groups)]:
                queue(chat_id, QUEUE_NOTICE, f"lead:{item.lead_id}:{chat_id}", payload)
        if rows:
            await self._session.execute(insert(_table(OutboxMessage)), list(rows.values()))


def _table(model: type[Base]) -> Table:
    """The model's table, for Core executemany inserts (one call for many rows)."""
    return cast(Table, model.__table__)


def _find_card(cards: dict[str, _Card], draft: LeadDraft) -> _Card | None:
    for contact in (draft.phone, draft.email):
        if contact and contact in cards:
            return cards[contact]
    return None


def _assignee(source: LeadSource, active: set[int]) -> int | None:
    members = [int(m) for m in source.member_ids if int(m) in active]
    if source.assign == "queue" or not members:
        return None
    if source.assign == "member":
        return members[0]
    chosen = members[source.turn % len(members)]
    source.turn += 1
    return chosen


def _card_name(draft: LeadDraft, source_name: str) -> str:
    name = clean_text((draft.name or "")[:200], "name")
    return name or draft.phone or draft.email or source_name


def _client_row(card: _Card, now: datetime) -> dict[str, Any]:
    return {
        "id": card.id,
        "name": card.name,
        "name_folded": fold(card.name),
        "search_text": search_text(card.name, None, None, card.emails, (), card.phones),
        "status": "new",
        "source": card.source,
        "manager_id": card.manager_id,
        "custom_fields": {},
        "created_at": now,
        "last_activity_at": now,
    }


def _lead_row(item: _New, now: datetime) -> dict[str, Any]:
    return {
        "id": item.lead_id,
        "channel": "form",
        "source_id": item.source.id,
        "dedupe_key": item.key,
        "received_at": now,
        "client_id": item.card.id,
        "deal_id": item.deal_id,
        "new_client": item.made_card,
        "taken_by": item.assignee,
        "taken_at": now if item.assignee is not None else None,
        "spam_at": None,
    }
