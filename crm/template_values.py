"""A template's values for one card, as its reader reads them: "📨 Send" fills a template
with them for the member sending it, and a rule that prepares one for the member it goes to,
so that both read the same words (their language and time zone, the team's currency and the
catalogs' words: ``CrmConfig.reading``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from crm import placeholders
from crm.automation.custom_fields import card_fields, custom_values
from crm.config import TeamReading
from crm.field_plain import Reading
from storage.models import Client, Deal, User


async def for_reader(
    session: AsyncSession,
    names: Sequence[str],
    *,
    client: Client,
    deal: Deal | None,
    reader: User,
    reading: TeamReading,
    now: datetime,
) -> dict[str, str | None]:
    """Every placeholder's value; the custom fields' read only when ``names`` has one."""
    values = await placeholders.record_values(
        session,
        client=client,
        deal=deal,
        language=reader.language,
        timezone=reader.timezone,
        now=now,
    )
    if any(name.startswith(placeholders.CUSTOM_PREFIX) for name in names):
        fields = await card_fields(session)
        deal_id = deal.id if deal is not None else None
        shown = Reading(reader.language, reading.currency, reading.words)
        values |= await custom_values(session, fields, client.id, deal_id, shown)
    return values
