"""A customer who already has a card, writing to another member's account: one card still.

Cards are made per chat of a connection, so a customer who wrote to two members'
accounts got two cards. Now a chat of a Telegram user who is on a card through another
member's connection (the card not deleted) is put on that card, as a form's lead with
a known phone is: a lead on the card, given to the card's manager and told to them
("New lead for you"), or queued (the owners and the lead groups told) when the card has
no active manager. The member whose account it is learns nothing of a card they may not
see: as with a form's known phone, the lead is the card manager's, not theirs. A chat of
the member's own older connection (their account connected again under a new id) is no
one else's: the new chat joins its card with no lead and no note, the customer theirs.

The customer is locked first on PostgreSQL (an advisory lock on their Telegram id for the
transaction), so two first messages of theirs on two accounts at once make one card: the
second waits, then finds the first's chat and its card. The card found is locked
(crm.row_locks) and read afresh: one deleted meanwhile is passed over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, outbox
from crm.business.customers import CHANNEL, SOURCE, chat_deal, chat_lead, deal_opened
from crm.clock import Clock
from crm.config import CrmConfig
from crm.groups import hearing_leads
from crm.outbox import OutboxKind
from crm.row_locks import locked
from storage.models import BusinessChat, BusinessConnection, Client, GroupChat, Lead, Role, User

if TYPE_CHECKING:
    from crm.business.inbox import ChatMessage

TRIES = 3  # cards deleted one after another under the lookup, before a new card is made


async def customer_locked(session: AsyncSession, user_id: int) -> None:
    """Until the transaction ends, nobody else makes or finds a card for this Telegram user
    (PostgreSQL; SQLite has one writer anyway). Keyed by the negated id: Telegram's user ids
    are positive, and ``storage.migrate``'s own advisory locks are positive too."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(-user_id)))


async def known_card(
    session: AsyncSession, connection: BusinessConnection, user_id: int
) -> tuple[Client, bool] | None:
    """The card another connection's chat with this Telegram user feeds (the member's own
    chat's first, then the oldest), locked, and whether that chat is the same member's
    (their account connected again under a new id: their own customer, no new lead); None
    when there is none."""
    passed: list[int] = []
    for _ in range(TRIES):
        row = (
            await session.execute(
                select(BusinessChat.client_id, BusinessConnection.user_id == connection.user_id)
                .join(BusinessConnection, BusinessConnection.id == BusinessChat.connection_id)
                .where(
                    BusinessChat.chat_id == user_id,
                    BusinessChat.connection_id != connection.id,
                    BusinessChat.client_id.is_not(None),
                    BusinessChat.client_id.not_in(passed),
                )
                # The member's own chat first: a card they already work with the customer on.
                .order_by((BusinessConnection.user_id == connection.user_id).desc())
                .order_by(BusinessChat.client_id)
                .limit(1)
            )
        ).first()
        client_id = row[0] if row is not None else None
        if row is None or client_id is None:
            return None
        own = row[1]
        client = await locked(session, Client, client_id)
        if client is not None:
            return client, bool(own)
        passed.append(client_id)  # deleted while it was being locked
    return None


async def returned(
    session: AsyncSession,
    clock: Clock,
    config: CrmConfig,
    connection: BusinessConnection,
    message: ChatMessage,
    client: Client,
) -> Lead:
    """The lead of the known customer's chat on their card, and who is told of it; with
    a deal when the account's member turned on "A deal for each new contact" (a new contact
    of theirs, as a form's known phone makes one), the lead's: its taker's, or nobody's
    until the lead is taken."""
    now = clock.now()
    manager = await session.get(User, client.manager_id) if client.manager_id else None
    taker = manager.id if manager is not None and manager.active else None
    deal = await chat_deal(session, config, client, taker, now) if connection.open_deal else None
    lead = chat_lead(message, client.id, taker, now, made=False)
    lead.deal_id = deal.id if deal else None
    session.add(lead)
    await session.flush()
    events.record(
        session,
        clock,
        "lead",
        None,
        client_id=client.id,
        data={
            "lead_id": lead.id,
            "channel": CHANNEL,
            "source": SOURCE,
            "telegram_id": message.chat_id,
            "username": message.username,
            "connection_user_id": connection.user_id,
        },
    )
    if deal is not None:
        await deal_opened(session, clock, deal)
    payload = {
        "lead_id": lead.id,
        "client_id": client.id,
        "deal_id": lead.deal_id,
        "source": SOURCE,
        "name": client.name,
        "phone": None,
        "email": None,
        "comment": (message.text or "")[:500] or None,
    }
    if taker is not None:
        told, kind = [taker], OutboxKind.LEAD_NEW
    else:
        owners = await session.scalars(
            select(User.id).where(User.active, User.role == Role.OWNER).order_by(User.id)
        )
        groups = await session.scalars(select(GroupChat))
        told, kind = hearing_leads(owners, groups), OutboxKind.LEAD_QUEUE
    for chat_id in told:
        await outbox.enqueue(
            session,
            chat_id=chat_id,
            kind=kind,
            payload=payload,
            dedupe_key=f"lead:{lead.id}:{chat_id}",
            now=now,
        )
    return lead
