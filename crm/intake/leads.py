"""Taking in form submissions: each stored with its card, deal and notices before the answer.

A retried submission (same ``tranid``, or the same body within
``BODY_DEDUPE_WINDOW``) finds its first lead and makes nothing new. The work
is done in batches (see ``crm.intake.batch``); one submission is a batch of one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from crm.clock import Clock
from crm.config import CrmConfig
from crm.errors import CrmError, ErrorCode, InvalidInput
from crm.intake.batch import Accepted, BatchIntake
from crm.intake.drafts import LeadDraft, lead_draft
from crm.parsing.lead_fields import LeadForm


class LeadIntake:
    def __init__(self, session: AsyncSession, clock: Clock, config: CrmConfig) -> None:
        self._config = config
        self._batch = BatchIntake(session, clock, config.currency)

    def draft(self, token: str, form: LeadForm) -> LeadDraft:
        if form.is_test:
            raise InvalidInput(ErrorCode.TEST_SUBMISSION)
        return lead_draft(token, form, self._config.default_phone_region)

    async def accept_form(self, token: str, form: LeadForm) -> Accepted:
        """Store one submission for the source behind ``token`` (NotFound: no such source)."""
        [outcome] = await self._batch.accept([self.draft(token, form)])
        if isinstance(outcome, CrmError):
            raise outcome
        return outcome

    async def accept_many(self, drafts: list[LeadDraft]) -> list[Accepted | CrmError]:
        """Store what has queued up, in one transaction; one outcome per draft, in order."""
        return await self._batch.accept(drafts)
