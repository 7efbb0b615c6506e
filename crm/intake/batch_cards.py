"""The known cards a batch of leads lands on, found by their phones and e-mails.

On PostgreSQL they are locked before the batch decides from them, in id order as Spam
locks a lead's card (crm.row_locks): a card read unlocked could be archived by Spam on
its last waiting lead before the batch commits, and the batch, having read it active,
left its new lead waiting on a card no list shows, with no "unarchived" line. Locked,
Spam waits for the batch and then finds the new lead waiting, or the batch waits for
Spam and finds the card archived, and restores it. Which card a contact belongs to is
read again under the locks (``_owners_locked``). On SQLite the batch holds the write
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
    if not phones and not emails:
        return {}
    rows = await _owners(session, phones, emails)
    if session.get_bind().dialect.name == "postgresql":
        rows = await _owners_locked(session, phones, emails, rows)
    by_id: dict[int, Card] = {}
    found: dict[str, Card] = {}
    for contact, _row_id, cid, name, manager, archived_at in rows:
        card = Card(cid, name, manager, archived=archived_at is not None)
        found.setdefault(contact, by_id.setdefault(cid, card))
    return found


async def _owners(
    session: AsyncSession, phones: list[str], emails: list[str]
) -> list[tuple[Any, ...]]:
    """Each contact's rows with their cards, each contact's first row (by id) first."""
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
    rows = await session.execute(union_all(*parts))
    return sorted((tuple(row) for row in rows), key=lambda row: row[1])


async def _owners_locked(
    session: AsyncSession, phones: list[str], emails: list[str], rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """``_owners`` read again once the cards ``rows`` found are locked: a card merged into
    another meanwhile (its contacts moved there, itself deleted) was found gone, and its
    contacts taken for unknown made a second card with them. Cards the contacts belong to
    now that are not locked yet have the locks let go (a rollback to a savepoint frees
    them) and taken again with them, in id order, never added while holding the others,
    as ``row_locks.deal_locked`` does. A batch of leads is not refused: it tries again
    until the contacts stay with the cards it holds (a merge committed each time between
    two of its statements). Contacts no card has are left as they are: nothing to lock."""
    while rows:
        async with session.begin_nested() as turn:
            held = {row[2] for row in rows}
            await columns_locked(session, Client, held, Client.id)
            rows = await _owners(session, phones, emails)  # as they are under the locks
            if {row[2] for row in rows} <= held:
                return rows
            await turn.rollback()
    return rows
