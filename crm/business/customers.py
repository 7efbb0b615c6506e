"""A customer's card made from their first message in a connected chat."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, groups, outbox
from crm.automation import triggers
from crm.cards import CardKind
from crm.client_index import search_text
from crm.clock import Clock
from crm.config import CrmConfig
from crm.field_defs import required_fields
from crm.outbox import OutboxKind
from crm.parsing.contacts import PhoneError, parse_phone
from crm.parsing.search_text import fold
from storage.models import (
    BusinessConnection,
    Client,
    ClientPhone,
    Deal,
    Lead,
    Pipeline,
    Stage,
    User,
)

if TYPE_CHECKING:
    from crm.business.inbox import ChatMessage

SOURCE = "Telegram"
CHANNEL = "telegram"


def customer_name(message: ChatMessage) -> str:
    """The chat's name as Telegram shows it; the @username or the id when it has none."""
    name = " ".join(" ".join(p for p in (message.first_name, message.last_name) if p).split())
    if not any(char.isalnum() for char in name):
        name = f"@{message.username}" if message.username else f"Telegram {message.chat_id}"
    return name[:200]


def chat_lead(
    message: ChatMessage, client_id: int, taken_by: int | None, now: datetime, made: bool
) -> Lead:
    """The lead of a chat's first message: on the card it made (``made``), or on the card of
    a customer known through another member's account; no deal (``new_card`` sets one)."""
    return Lead(
        channel=CHANNEL,
        source_id=None,
        dedupe_key=f"tg:{message.chat_id}"[:80],
        received_at=now,
        client_id=client_id,
        deal_id=None,
        new_client=made,
        taken_by=taken_by,
        taken_at=now if taken_by is not None else None,
    )


async def new_card(
    session: AsyncSession,
    clock: Clock,
    config: CrmConfig,
    member: User,
    connection: BusinessConnection,
    message: ChatMessage,
) -> int:
    """The new card's id (and a deal, if the member chose so) with their events, the lead
    and the one note to the member."""
    now = clock.now()
    name = customer_name(message)
    phones: list[str] = []
    if message.phone:
        with contextlib.suppress(PhoneError):
            phones.append(parse_phone(message.phone, config.default_phone_region).e164)
    # Another client's phone is not put on the new card (as on every other path).
    phones = [p for p in phones if not await _phone_known(session, p)]
    client = Client(
        name=name,
        name_folded=fold(name),
        source=SOURCE,
        status="new",
        manager_id=member.id,
        created_by=None,
        created_at=now,
        last_activity_at=now,
        custom_fields={},
        search_text=search_text(name, None, None, (), (), phones),
    )
    session.add(client)
    await session.flush()
    session.add_all(ClientPhone(client_id=client.id, e164=p, digits=p.lstrip("+")) for p in phones)
    opening = connection.open_deal
    deal = await chat_deal(session, config, client, member.id, now) if opening else None
    lead = chat_lead(message, client.id, member.id, now, made=True)
    lead.deal_id = deal.id if deal else None
    session.add(lead)
    await session.flush()
    await groups.announce(
        session,
        now,
        "new_client",
        groups.card_key(client.id, now),
        {"client_id": client.id, "name": name, "company": None, "by": None},
    )
    created = events.record(
        session,
        clock,
        "client_created",
        None,
        client_id=client.id,
        data={
            "name": name,
            "phones": phones,
            "emails": [],
            "source": SOURCE,
            "lead_id": lead.id,
            "telegram_id": message.chat_id,
            "username": message.username,
            **await _missing(session, CardKind.CLIENT),
        },
    )
    # Automation rules on new clients (and deals) run for these as for any other.
    await triggers.on_event(session, clock, created)
    if deal is not None:
        await deal_opened(session, clock, deal)
    await outbox.enqueue(
        session,
        chat_id=member.id,
        kind=OutboxKind.BUSINESS_NEW_CLIENT,
        payload={
            "client_id": client.id,
            "name": client.name,
            "username": message.username,
            "deal_id": deal.id if deal else None,
        },
        # The message that made the card: SQLite may give a new card a deleted one's id.
        dedupe_key=f"biz:{connection.id}:{message.chat_id}:{message.message_id}",
        now=now,
    )
    return client.id


async def chat_deal(
    session: AsyncSession, config: CrmConfig, client: Client, manager_id: int | None, at: datetime
) -> Deal | None:
    """The deal "A deal for each new contact" opens on a chat's card (None: no open stage);
    ``deal_opened`` records it once the card's own events are written."""
    pipeline_id = await session.scalar(
        select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1)
    )
    stage = await session.scalar(
        select(Stage)
        .where(Stage.pipeline_id == pipeline_id, Stage.kind == "open")
        .order_by(Stage.position, Stage.id)
        .limit(1)
    )
    if stage is None:
        return None
    deal = Deal(
        client_id=client.id,
        pipeline_id=stage.pipeline_id,
        stage_id=stage.id,
        title=client.name,
        title_folded=fold(client.name),
        amount_minor=0,
        currency=config.currency,
        manager_id=manager_id,
        created_by=None,
        created_at=at,
        stage_changed_at=at,
        last_activity_at=at,
    )
    session.add(deal)
    await session.flush()
    return deal


async def deal_opened(session: AsyncSession, clock: Clock, deal: Deal) -> None:
    """A chat's deal's "created" event, the automation rules on new deals, and the groups
    that hear of new deals told of one a member has (a lead nobody has yet is told by its
    own notice, as a form's is: ``crm.intake.batch_rows.notice_rows``)."""
    stage = await session.get(Stage, deal.stage_id)
    client = await session.get(Client, deal.client_id)
    if deal.manager_id is not None and client is not None:
        await groups.announce_opened(session, clock.now(), deal, client.name, None)
    opened = events.record(
        session,
        clock,
        "deal_created",
        None,
        client_id=deal.client_id,
        deal_id=deal.id,
        data={
            "title": deal.title,
            "amount": 0,
            "currency": deal.currency,
            "to": deal.stage_id,
            "to_code": stage.code if stage else None,
            "to_name": stage.name if stage else None,
            **await _missing(session, CardKind.DEAL),
        },
    )
    await triggers.on_event(session, clock, opened)


async def _missing(session: AsyncSession, kind: CardKind) -> dict[str, list[str]]:
    """A chat's card is made with its required fields empty: its "created" event says so."""
    names = list((await required_fields(session, kind)).values())
    return {"missing": names} if names else {}


async def _phone_known(session: AsyncSession, e164: str) -> bool:
    found = await session.scalar(select(ClientPhone.id).where(ClientPhone.e164 == e164).limit(1))
    return found is not None
