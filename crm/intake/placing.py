"""Where a lead lands: its client (found or new), its deal, its member, and who is told.

Runs inside the caller's write transaction; shared by every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm import events, groups, outbox
from crm.client_index import search_text
from crm.clients import clean_text, phone_rows
from crm.clock import Clock
from crm.parsing.search_text import fold
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    Deal,
    GroupChat,
    Lead,
    LeadSource,
    Pipeline,
    Role,
    Stage,
    User,
)

LEAD_NOTICE = "lead_new"  # to the member who got the lead
QUEUE_NOTICE = "lead_queue"  # to the owners and the team's group chats: nobody has it yet


@dataclass(frozen=True)
class NewLead:
    name: str | None
    phone: str | None = None  # E.164
    email: str | None = None  # lower-cased
    comment: str | None = None
    utm: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    tranid: str | None = None


class LeadPlacer:
    def __init__(self, session: AsyncSession, clock: Clock, currency: str) -> None:
        self._session = session
        self._clock = clock
        self._currency = currency

    async def place(self, lead: Lead, source: LeadSource, draft: NewLead) -> None:
        client = await self._known_client(draft)
        assignee = await self._assignee(source) if client is None else client.manager_id
        if client is None:
            client = await self._new_client(draft, source.name, assignee, lead.id)
            lead.new_client = True
        lead.client_id = client.id
        now = self._clock.now()
        client.last_activity_at = now
        if assignee is not None:
            lead.taken_by, lead.taken_at = assignee, now
        events.record(
            self._session,
            self._clock,
            "lead",
            None,
            client_id=client.id,
            text=draft.comment[:4000] if draft.comment else None,
            data={
                "lead_id": lead.id,
                "channel": lead.channel,
                "source_id": source.id,
                "source": source.name,
                "phone": draft.phone,
                "email": draft.email,
                "utm": draft.utm,
                "fields": draft.fields,
                "tranid": draft.tranid,
            },
        )
        if source.open_deal:
            lead.deal_id = await self._open_deal(client, assignee)
        await self._notify(lead, client, source.name, assignee, draft)

    async def _known_client(self, draft: NewLead) -> Client | None:
        client_id = None
        if draft.phone:
            client_id = await self._session.scalar(
                select(ClientPhone.client_id).where(ClientPhone.e164 == draft.phone).limit(1)
            )
        if client_id is None and draft.email:
            client_id = await self._session.scalar(
                select(ClientEmail.client_id).where(ClientEmail.email == draft.email).limit(1)
            )
        return None if client_id is None else await self._session.get(Client, client_id)

    async def _assignee(self, source: LeadSource) -> int | None:
        """The member this source's lead goes to now; None: the queue."""
        if source.assign == "queue" or not source.member_ids:
            return None
        active = set(
            await self._session.scalars(
                select(User.id).where(User.id.in_(source.member_ids), User.active.is_(True))
            )
        )
        members = [int(m) for m in source.member_ids if int(m) in active]
        if not members:
            return None
        if source.assign == "member":
            return members[0]
        chosen = members[source.turn % len(members)]
        source.turn += 1
        return chosen

    async def _new_client(
        self, draft: NewLead, source_name: str, manager_id: int | None, lead_id: int
    ) -> Client:
        name = (
            clean_text((draft.name or "")[:200], "name")
            or draft.phone
            or draft.email
            or source_name
        )
        now = self._clock.now()
        client = Client(
            name=name,
            name_folded=fold(name),
            source=source_name,
            status="new",
            manager_id=manager_id,
            created_at=now,
            last_activity_at=now,
            custom_fields={},
        )
        self._session.add(client)
        await self._session.flush()
        phones = (draft.phone,) if draft.phone else ()
        emails = (draft.email,) if draft.email else ()
        self._session.add_all(phone_rows(client.id, phones))
        self._session.add_all(ClientEmail(client_id=client.id, email=e) for e in emails)
        client.search_text = search_text(name, None, None, emails, (), phones)
        events.record(
            self._session,
            self._clock,
            "client_created",
            None,
            client_id=client.id,
            data={
                "name": name,
                "phones": list(phones),
                "emails": list(emails),
                "source": source_name,
                "lead_id": lead_id,
            },
        )
        if manager_id is not None:  # a queued lead reaches the groups as a queue notice
            await groups.announce(
                self._session,
                now,
                "new_client",
                str(client.id),
                {"client_id": client.id, "name": name, "company": None, "by": None},
            )
        return client

    async def _open_deal(self, client: Client, manager_id: int | None) -> int:
        pipeline_id = await self._session.scalar(
            select(Pipeline.id).order_by(Pipeline.position, Pipeline.id).limit(1)
        )
        first = await self._session.scalar(
            select(Stage)
            .where(Stage.pipeline_id == pipeline_id, Stage.kind == "open")
            .order_by(Stage.position, Stage.id)
            .limit(1)
        )
        assert pipeline_id is not None and first is not None  # made on every new database
        now = self._clock.now()
        deal = Deal(
            client_id=client.id,
            pipeline_id=pipeline_id,
            stage_id=first.id,
            title=client.name,
            amount_minor=0,
            currency=self._currency,
            manager_id=manager_id,
            created_at=now,
            stage_changed_at=now,
            last_activity_at=now,
        )
        self._session.add(deal)
        await self._session.flush()
        events.record(
            self._session,
            self._clock,
            "deal_created",
            None,
            client_id=client.id,
            deal_id=deal.id,
            data={
                "title": deal.title,
                "amount": 0,
                "currency": deal.currency,
                "to": first.id,
                "to_code": first.code,
                "to_name": first.name,
            },
        )
        return deal.id

    async def _notify(
        self,
        lead: Lead,
        client: Client,
        source_name: str,
        assignee: int | None,
        draft: NewLead,
    ) -> None:
        payload = {
            "lead_id": lead.id,
            "client_id": client.id,
            "deal_id": lead.deal_id,
            "source": source_name,
            "name": client.name,
            "phone": draft.phone,
            "email": draft.email,
            "comment": (draft.comment or "")[:500] or None,
        }
        now = self._clock.now()
        if assignee is not None:
            await outbox.enqueue(
                self._session,
                chat_id=assignee,
                kind=LEAD_NOTICE,
                payload=payload,
                dedupe_key=f"lead:{lead.id}:{assignee}",
                now=now,
            )
            return
        owners = await self._session.scalars(
            select(User.id).where(User.role == Role.OWNER, User.active.is_(True))
        )
        chats = await self._session.scalars(select(GroupChat.chat_id))
        for chat_id in [*owners, *chats]:
            await outbox.enqueue(
                self._session,
                chat_id=chat_id,
                kind=QUEUE_NOTICE,
                payload=payload,
                dedupe_key=f"lead:{lead.id}:{chat_id}",
                now=now,
            )
