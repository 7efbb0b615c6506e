"""Taking in one form submission: card, timeline, deal, assignment and notices at once.

Everything a lead makes is written in ONE transaction before the HTTP answer,
so an accepted lead survives a restart and a failed one leaves nothing. A
retried submission (same ``tranid``, or the same body within
``BODY_DEDUPE_WINDOW``) finds its first lead through the unique
``(source_id, dedupe_key)`` and makes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import InvalidInput, NotFound
from crm.intake.placing import LeadPlacer, NewLead
from crm.parsing.contacts import EmailError, PhoneError, parse_email, parse_phone
from crm.parsing.lead_fields import LeadForm
from storage.engine import write_transaction
from storage.models import Lead, LeadSource

BODY_DEDUPE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Accepted:
    lead_id: int
    duplicate: bool


class LeadIntake:
    def __init__(self, session: AsyncSession, clock: Clock, config: CrmConfig) -> None:
        self._session = session
        self._clock = clock
        self._config = config
        self._placer = LeadPlacer(session, clock, config.currency)

    async def accept_form(self, source_id: int, form: LeadForm) -> Accepted:
        """Store one submission for the source (found by its token beforehand)."""
        if form.is_test:
            raise InvalidInput("test_submission")
        draft = self._draft(form)
        key = f"t:{form.tranid}" if form.tranid else f"b:{form.fingerprint()}"
        async with write_transaction(self._session):
            source = await self._session.scalar(
                select(LeadSource).where(LeadSource.id == source_id).with_for_update()
            )
            if source is None or not source.active:
                raise NotFound()
            now = self._clock.now()
            lead_id = await self._insert_lead(source.id, key)
            if lead_id is None:
                existing = await self._session.scalar(
                    select(Lead).where(Lead.source_id == source.id, Lead.dedupe_key == key)
                )
                assert existing is not None  # the insert conflicted with it
                if key.startswith("t:") or now - existing.received_at < BODY_DEDUPE_WINDOW:
                    return Accepted(existing.id, duplicate=True)
                # The same body long after: a new lead. The old one keeps a retired key.
                existing.dedupe_key = f"{key}@{existing.id}"
                await self._session.flush()
                lead_id = await self._insert_lead(source.id, key)
                assert lead_id is not None
            lead = await self._session.get(Lead, lead_id)
            assert lead is not None
            await self._placer.place(lead, source, draft)
            return Accepted(lead.id, duplicate=False)

    async def _insert_lead(self, source_id: int, key: str) -> int | None:
        dialect = self._session.bind.dialect.name if self._session.bind is not None else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        values = {
            "channel": "form",
            "source_id": source_id,
            "dedupe_key": key,
            "received_at": self._clock.now(),
            "new_client": False,
        }
        stmt = (
            insert(Lead)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["source_id", "dedupe_key"])
            .returning(Lead.id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()

    def _draft(self, form: LeadForm) -> NewLead:
        extra = dict(form.extra)
        phone = email = None
        if form.phone:
            try:
                phone = parse_phone(form.phone, self._config.default_phone_region).e164
            except PhoneError:
                extra["phone"] = form.phone  # kept as written, on the timeline
        if form.email:
            try:
                email = parse_email(form.email)
            except EmailError:
                extra["email"] = form.email
        return NewLead(
            name=form.name,
            phone=phone,
            email=email,
            comment=form.comment,
            utm=dict(form.utm),
            fields=extra,
            tranid=form.tranid,
        )
