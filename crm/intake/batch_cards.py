"""The known cards a batch of leads lands on, found by their phones and e-mails.

On PostgreSQL they are locked before the batch decides from them, in id order as Spam
locks a lead's card (crm.row_locks): a card read unlocked could be archived by Spam on
its last waiting lead before the batch commits, and the batch, having read it active,
left its new lead waiting on a card no list shows, with no "unarchived" line. Locked,
Spam waits for the batch and then finds the new lead waiting, or the batch waits for
Spam and finds the card archived, and restores it. On SQLite the batch holds the write
lock from its start.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from crm.intake.batch_rows import Card
from crm.intake.drafts import LeadDraft
from crm.row_locks import columns_locked
from storage.models import Client, ClientEmail, ClientPhone

_KNOWN = (Client.id, Client.name, Client.manager_id, Client.archived_at)


async def known_cards(session: AsyncSession, drafts: list[LeadDraft]) -> dict[str, Card]:
    """Known clients by each phone and email of the batch."""
    phones = sorted({d.phone for d in drafts if d.phone})
    emails = sorted({d.email for d in drafts if d.email})
    # One statement for both (each a round trip to the driver's thread): a phone and
    # an e-mail never look alike, and each contact's first row (by id) is its card.
    parts = []
    if phones:
        parts.append(
            select(ClientPhone.e164, ClientPhone.id, *_KNOWN)
            .join(Client, Client.id == ClientPhone.client_id)
            .where(ClientPhone.e164.in_(phones))
        )
    if emails:
        parts.append(
            select(ClientEmail.email, ClientEmail.id, *_KNOWN)
            .join(Client, Client.id == ClientEmail.client_id)
            .where(ClientEmail.email.in_(emails))
        )
    if not parts:
        return {}
    rows: list[tuple[Any, ...]] = sorted(
        (tuple(row) for row in await session.execute(union_all(*parts))), key=lambda r: r[1]
    )
    if session.get_bind().dialect.name == "postgresql":
        locked = await columns_locked(session, Client, {row[2] for row in rows}, *_KNOWN)
        fresh = {row[0]: row for row in locked}  # a card deleted meanwhile is none
        rows = [(row[0], row[1], *fresh[row[2]]) for row in rows if row[2] in fresh]
    by_id: dict[int, Card] = {}
    found: dict[str, Card] = {}
    for contact, _row_id, cid, name, manager, archived_at in rows:
        card = Card(cid, name, manager, archived=archived_at is not None)
        found.setdefault(contact, by_id.setdefault(cid, card))
    return found
