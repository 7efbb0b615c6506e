"""A member told that a client, a deal or a record is theirs now: someone else made them
its responsible (``crm.notices.client_assigned``, ``record_assigned``, ``crm.deal_assign``).

Rendered from the card as it is when sent: one given to someone else meanwhile, or that
the reader no longer sees or that is gone, says nothing."""

from __future__ import annotations

from typing import Any

from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.outbox import OutboxKind
from crm.service import Crm
from reminders.render_types import Rendered
from storage.models import User


async def card_assigned(
    crm: Crm, kind: OutboxKind, payload: dict[str, Any], chat_id: int
) -> Rendered | None:
    reader = await crm.members.get_active(chat_id)
    if reader is None:
        return None
    try:
        said = await _said(crm, reader, kind, payload)
    except CrmError:
        return None  # gone, or no longer the reader's to see
    return Rendered(Text(said)) if said is not None else None


async def _said(crm: Crm, reader: User, kind: OutboxKind, payload: dict[str, Any]) -> str | None:
    """The notice, or None when the card is someone else's now."""
    if kind == OutboxKind.DEAL_ASSIGNED:
        deal = await crm.deals.visible(reader, int(payload.get("deal_id", 0)))
        client = await crm.clients.visible_unchecked(deal.client_id)
        if deal.manager_id != reader.id or client is None:
            return None
        return _("You are now responsible for the deal “{title}” (client: {client}).").format(
            title=deal.title or "—", client=client.name
        )
    if kind == OutboxKind.RECORD_ASSIGNED:
        record = await crm.records.visible(reader, int(payload.get("record_id", 0)))
        if record.manager_id != reader.id:
            return None
        of_type = await crm.record_types.get(record.type_id)
        return _("You are now responsible for “{title}” ({type}).").format(
            title=record.title, type=of_type.singular
        )
    client = await crm.clients.visible(reader, int(payload.get("client_id", 0)))
    if client.manager_id != reader.id:
        return None
    return _("You are now responsible for the client “{name}”.").format(name=client.name)
