"""The automation rules a batch of form leads sets off, queued in the batch's transaction.

The batch writes its cards and events set-based, so it does not go through
``triggers.on_event`` one event at a time: it reads the rules a lead may set
off once (a client created, a deal entering its first stage), gives the events
their ids beforehand when there are any, and queues all their firings in one
statement, each seeing its card as written (the lead's source, its manager).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.automation import triggers
from crm.automation.conditions import Record, needs_tags
from crm.events import EventKind
from storage.models import AutomationRule, Client, ClientTag, Deal, Event

LEAD_EVENTS = (EventKind.CLIENT_CREATED, EventKind.DEAL_CREATED)


async def lead_rules(session: AsyncSession) -> list[AutomationRule]:
    """The active rules a lead's new client or deal may set off (one statement)."""
    kinds = sorted(
        {kind for event in LEAD_EVENTS for kind in triggers.triggers_of(Event(kind=event))}
    )
    return await triggers.rules_for(session, kinds)


async def queue_lead_firings(
    session: AsyncSession,
    now: datetime,
    rules: list[AutomationRule],
    events: list[dict[str, Any]],
    clients: Mapping[int | None, dict[str, Any]],
    deals: Mapping[int | None, dict[str, Any]],
) -> int:
    """Queue what the batch's ``events`` (rows with their ids) set off among ``rules``.

    ``clients`` and ``deals``: the rows the batch made, by id; a deal on a known client
    reads that client (one statement for all), and the clients' tags are read only when
    a rule looks at them.
    """
    made = [row for row in events if row["kind"] in LEAD_EVENTS]
    known_ids = sorted({int(row["client_id"]) for row in made} - set(clients))
    known: dict[int, Client] = {}
    if known_ids:
        found = await session.scalars(select(Client).where(Client.id.in_(known_ids)))
        known = {client.id: client for client in found}
    tags: dict[int, list[str]] = {}
    if known and any(needs_tags(rule.conditions) for rule in rules):
        rows = await session.execute(
            select(ClientTag.client_id, ClientTag.tag).where(ClientTag.client_id.in_(list(known)))
        )
        for client_id, tag in rows.all():
            tags.setdefault(client_id, []).append(tag)
    changes: list[tuple[Event, Record]] = []
    for row in made:
        client_id = int(row["client_id"])
        client = Client(**clients[client_id]) if client_id in clients else known.get(client_id)
        if client is None:
            continue
        deal_id = row["deal_id"]
        deal = Deal(**deals[deal_id]) if deal_id is not None else None
        record = Record(client, deal, list(tags.get(client_id, [])))
        changes.append((Event(**row), record))
    return await triggers.queue_many(session, now, rules, changes)
