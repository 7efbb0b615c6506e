"""The rows a batch of form leads writes, built from what was read. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm.cards import CardKind
from crm.client_index import search_text
from crm.clients import clean_text
from crm.event_data import ClientCreated, DealCreated, Unarchived
from crm.events import EventKind
from crm.groups import hearing_leads, opened_news
from crm.intake.drafts import LeadDraft
from crm.outbox import OutboxKind
from crm.parsing.search_text import fold
from storage.models import GroupChat, LeadSource, Stage


@dataclass
class Card:
    """A client a lead lands on: known (``id`` set) or to be made in this batch."""

    id: int | None
    name: str
    manager_id: int | None
    source: str | None = None
    archived: bool = False  # known and archived: the batch restores it (a lead came in on it)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


@dataclass
class NewLead:
    index: int
    draft: LeadDraft
    source: LeadSource
    key: str
    card: Card
    made_card: bool
    assignee: int | None
    deal_id: int | None = None
    lead_id: int | None = None


def find_card(cards: dict[str, Card], draft: LeadDraft) -> Card | None:
    for contact in (draft.phone, draft.email):
        if contact and contact in cards:
            return cards[contact]
    return None


def assignee_for(source: LeadSource, active: set[int]) -> int | None:
    members = [int(m) for m in source.member_ids if int(m) in active]
    if source.assign == "queue" or not members:
        return None
    if source.assign == "member":
        return members[0]
    chosen = members[source.turn % len(members)]
    source.turn += 1
    return chosen


def card_name(draft: LeadDraft, source_name: str) -> str:
    name = clean_text((draft.name or "")[:200], "name")
    return name or draft.phone or draft.email or source_name


def client_row(card: Card, now: datetime) -> dict[str, Any]:
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


def lead_row(item: NewLead, now: datetime) -> dict[str, Any]:
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


def deal_row(item: NewLead, stage: Stage, now: datetime, currency: str) -> dict[str, Any]:
    return {
        "id": item.deal_id,
        "client_id": item.card.id,
        "pipeline_id": stage.pipeline_id,
        "stage_id": stage.id,
        "title": item.card.name,
        "title_folded": fold(item.card.name),
        "amount_minor": 0,
        "currency": currency,
        "manager_id": item.assignee,
        "created_at": now,
        "stage_changed_at": now,
        "last_activity_at": now,
    }


def event_rows(
    new: list[NewLead],
    stage: Stage | None,
    now: datetime,
    currency: str,
    missing: Mapping[CardKind, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """``missing``: the required client and deal fields, which a lead's new card and deal
    are made without (their "created" events say so; the cards show it)."""
    rows: list[dict[str, Any]] = []
    empty = missing or {}

    def event(kind: str, item: NewLead, text: str | None, data: Mapping[str, Any]) -> None:
        rows.append(
            {
                "occurred_at": now,
                "actor_id": None,
                "kind": kind,
                "client_id": item.card.id,
                "deal_id": item.deal_id if kind == "deal_created" else None,
                "task_id": None,
                "text": text,
                "data": dict(data),
            }
        )

    restored: set[int | None] = set()
    for item in new:
        draft = item.draft
        if item.card.archived and item.card.id not in restored:
            restored.add(item.card.id)
            event(EventKind.UNARCHIVED, item, None, Unarchived(lead_id=item.lead_id or 0))
        if item.made_card:
            event(
                EventKind.CLIENT_CREATED,
                item,
                None,
                ClientCreated(
                    name=item.card.name,
                    phones=item.card.phones,
                    emails=item.card.emails,
                    source=item.source.name,
                    lead_id=item.lead_id,
                )
                | _missing(empty.get(CardKind.CLIENT)),
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
                EventKind.DEAL_CREATED,
                item,
                None,
                DealCreated(
                    title=item.card.name,
                    amount=0,
                    currency=currency,
                    to=stage.id,
                    to_code=stage.code,
                    to_name=stage.name,
                )
                | _missing(empty.get(CardKind.DEAL)),
            )
    return rows


def _missing(names: list[str] | None) -> dict[str, list[str]]:
    return {"missing": list(names)} if names else {}


def notice_rows(
    new: list[NewLead], owners: list[int], groups: list[GroupChat], now: datetime, currency: str
) -> list[dict[str, Any]]:
    """Outbox rows: the lead's member is told, and the group chats that hear of new clients
    and new deals of the card and deal it made; a queued lead goes to the owners and to the
    group chats that hear of such leads (``crm.groups.hearing_leads``)."""
    rows: dict[str, dict[str, Any]] = {}

    def queue(chat_id: int, kind: OutboxKind, key: str, payload: dict[str, Any]) -> None:
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
            queue(
                item.assignee, OutboxKind.LEAD_NEW, f"lead:{item.lead_id}:{item.assignee}", payload
            )
            for group in groups:
                if item.made_card and "new_client" in group.subscriptions:
                    # Keyed by the lead: SQLite may give the card a deleted card's id, whose
                    # notice still holds the key "new_client:<id>".
                    queue(
                        group.chat_id,
                        OutboxKind.GROUP_NEW_CLIENT,
                        f"group:{group.chat_id}:new_client:lead:{item.lead_id}",
                        {
                            "client_id": item.card.id,
                            "name": item.card.name,
                            "company": None,
                            "by": None,
                        },
                    )
                if item.deal_id is not None and "new_deal" in group.subscriptions:
                    queue(
                        group.chat_id,
                        OutboxKind.GROUP_NEW_DEAL,
                        f"group:{group.chat_id}:new_deal:lead:{item.lead_id}",
                        # The deal is named after its card, and opened at 0.
                        opened_news(
                            item.deal_id, item.card.name, item.card.name, 0, currency, None
                        ),
                    )
            continue
        for chat_id in hearing_leads(owners, groups):
            queue(chat_id, OutboxKind.LEAD_QUEUE, f"lead:{item.lead_id}:{chat_id}", payload)
    return list(rows.values())
