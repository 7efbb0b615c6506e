"""A firing batch's reads: its rules, records, tags, phones and managers in a few queries.

Read under the batch's write lock and afresh (``populate_existing``): a rule
paused or a tag added a moment ago counts, though the session was kept over
batches. The reads stop early when ``wanted`` says a member's update came in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind, CardRef
from crm.row_locks import deals_locked
from storage.models import (
    AutomationFiring,
    AutomationRule,
    Client,
    ClientPhone,
    ClientTag,
    Deal,
    User,
)

# A due firing, the cards it acts on and its rule (``lock_cards``).
CARDS = (
    AutomationFiring.id,
    AutomationFiring.client_id,
    AutomationFiring.deal_id,
    AutomationFiring.record_id,
    AutomationFiring.rule_id,
)
Due = tuple[int, int | None, int | None, int | None, int]


async def lock_cards(session: AsyncSession, due: Sequence[Due]) -> None:
    """Lock the cards the ``due`` firings (``CARDS``) act on, as a member's writes lock
    them (``crm.row_locks``): a deal's client and the deal, read afresh, then a client's
    own or a record's, all at once in the one order; then the firings' rules, in id
    order. Taken before the firings' rows: a member deleting a deal holds it and then
    deletes its firings, and the owner deleting a rule holds the rule and then deletes its
    firings (``ON DELETE CASCADE``), so the other order would deadlock (the batch, holding
    a firing, counts it on its rule at the end). A member's change and a rule's action
    then take turns, and the rule acts on the card as the member left it (on PostgreSQL
    it read it before and wrote over the member's change); a rule deleted meanwhile is
    found gone with its firings. Not on SQLite, where the batch holds the write lock."""
    deals = {deal_id for _, _, deal_id, _, _ in due if deal_id is not None}
    clients = {client for _, client, deal, _, _ in due if deal is None and client is not None}
    records = {record_id for _, _, _, record_id, _ in due if record_id is not None}
    also = [CardRef(CardKind.CLIENT, client_id) for client_id in clients]
    also += [CardRef(CardKind.RECORD, record_id) for record_id in records]
    await deals_locked(session, deals, *also)
    # FOR NO KEY UPDATE, as the batch's own update of the rule takes: a member's write
    # queuing a firing of the rule (FOR KEY SHARE) does not wait for it. At most MAX_RULES.
    rule_ids = sorted({rule_id for *_, rule_id in due})
    if rule_ids:
        await session.execute(
            select(AutomationRule.id)
            .where(AutomationRule.id.in_(rule_ids))
            .order_by(AutomationRule.id)
            .with_for_update(key_share=True)
        )


@dataclass
class BatchReads:
    tags: dict[int, list[str]] = field(default_factory=dict)  # by client id
    phones: dict[int, str] = field(default_factory=dict)  # each client's first phone
    # The session's identity map holds objects weakly: kept here for the batch.
    kept: list[object] = field(default_factory=list)
    # Each deal's last change of stage as the batch found it (``moved_on.before_the_batch``).
    staged: dict[int, datetime] = field(default_factory=dict)


async def read_batch(
    session: AsyncSession, firings: list[AutomationFiring], wanted: Callable[[], bool]
) -> BatchReads | None:
    """The batch's reads, or None (having read only part) once ``wanted()`` turns False."""
    fresh = {"populate_existing": True}  # a session kept over batches holds old copies
    rule_ids = {f.rule_id for f in firings}
    rules = list(
        await session.scalars(
            select(AutomationRule).where(AutomationRule.id.in_(rule_ids)).execution_options(**fresh)
        )
    )
    deal_ids = {f.deal_id for f in firings if f.deal_id is not None}
    deals: list[Deal] = []
    if deal_ids and wanted():
        deals = list(
            await session.scalars(
                select(Deal).where(Deal.id.in_(deal_ids)).execution_options(**fresh)
            )
        )
    client_ids = {f.client_id for f in firings if f.client_id is not None}
    client_ids |= {deal.client_id for deal in deals}
    if not wanted():
        return None
    clients = list(
        await session.scalars(
            select(Client).where(Client.id.in_(client_ids)).execution_options(**fresh)
        )
    )
    if not wanted():
        return None
    tags: dict[int, list[str]] = {client_id: [] for client_id in client_ids}
    rows = await session.execute(
        select(ClientTag.client_id, ClientTag.tag).where(ClientTag.client_id.in_(client_ids))
    )
    for client_id, tag in rows:
        tags[client_id].append(tag)
    if not wanted():
        return None
    phones: dict[int, str] = {}
    rows = await session.execute(
        select(ClientPhone.client_id, ClientPhone.e164)
        .where(ClientPhone.client_id.in_(client_ids))
        .order_by(ClientPhone.id)
    )
    for client_id, phone in rows:
        phones.setdefault(client_id, phone)
    managers = {deal.manager_id for deal in deals} | {c.manager_id for c in clients}
    managers.discard(None)
    users: list[User] = []
    if managers and wanted():
        users = list(
            await session.scalars(
                select(User).where(User.id.in_(managers)).execution_options(**fresh)
            )
        )
    if not wanted():
        return None
    staged = {deal.id: deal.stage_changed_at for deal in deals}
    return BatchReads(tags, phones, [*rules, *deals, *clients, *users], staged)
