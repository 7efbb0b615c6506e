"""A rule's conditions, checked against the record a trigger fired on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.automation import field_match
from storage.models import Client, ClientTag, Deal, FieldDef
from storage.models import Record as TeamRecord


@dataclass
class Record:
    """A client, maybe one of its deals, and the client's tags; or else a card of the team's
    own record type (``team``), which has no client."""

    client: Client | None
    deal: Deal | None = None
    tags: list[str] = field(default_factory=list)
    team: TeamRecord | None = None
    # The team's custom fields as text (``custom.<id>``), read when a condition needs them,
    # and the fields themselves, which read a condition's value (``field_match``).
    custom: dict[str, str | None] | None = None
    custom_defs: dict[str, FieldDef] = field(default_factory=dict)

    @property
    def client_id(self) -> int | None:
        return self.client.id if self.client is not None else None

    @property
    def responsible(self) -> int | None:
        if self.deal is not None and self.deal.manager_id is not None:
            return self.deal.manager_id
        if self.team is not None:
            return self.team.manager_id
        return self.client.manager_id if self.client is not None else None


async def load_record(
    session: AsyncSession,
    *,
    client_id: int | None = None,
    deal_id: int | None = None,
    record_id: int | None = None,
    tags: Mapping[int, list[str]] | None = None,
    read_tags: bool = True,
) -> Record | None:
    """The record, reading ``tags`` from the given map when it knows the client.

    Without ``read_tags`` the client's tags are left unread (empty): for
    conditions that do not look at them (``needs_tags``).
    """
    if record_id is not None:
        team = await session.get(TeamRecord, record_id)
        return Record(None, team=team) if team is not None else None
    deal = await session.get(Deal, deal_id) if deal_id is not None else None
    if deal is not None:
        client_id = deal.client_id
    client = await session.get(Client, client_id) if client_id is not None else None
    if client is None:
        return None
    if tags is not None and client.id in tags:
        return Record(client, deal, tags[client.id])  # shared: a batch sees its own tags
    if not read_tags:
        return Record(client, deal)
    found = await session.scalars(select(ClientTag.tag).where(ClientTag.client_id == client.id))
    return Record(client, deal, list(found))


def _value(record: Record, name: str) -> Any:
    if name == "amount":
        return record.deal.amount_minor if record.deal is not None else None
    client = record.client
    if client is None:
        return record.responsible if name == "responsible" else None
    if name == "status":
        return client.status
    if name == "source":
        return client.source
    if name == "tag":
        return record.tags
    if name == "responsible":
        return record.responsible
    if name.startswith("custom."):
        if record.custom is not None and name in record.custom:
            return record.custom[name]
        return (client.custom_fields or {}).get(name.removeprefix("custom."))
    return None


def needs_tags(conditions: list[Any]) -> bool:
    return any(c.get("field") == "tag" for c in conditions)


def needs_custom(conditions: list[Any]) -> bool:
    return any(str(c.get("field", "")).startswith("custom.") for c in conditions)


async def load_custom(session: AsyncSession, record: Record) -> Record:
    """Read the client's and the deal's custom field values into ``record.custom``."""
    # Imported here: custom fields' writing sets off triggers, which check conditions.
    from crm.automation.custom_fields import card_fields, custom_values, field_key

    if record.client is not None and record.custom is None:
        deal_id = record.deal.id if record.deal is not None else None
        fields = await card_fields(session)
        record.custom = await custom_values(session, fields, record.client.id, deal_id)
        record.custom_defs = {field_key(f.id): f for f in fields}
    return record


def check_one(condition: dict[str, Any], record: Record, region: str) -> bool:
    """One condition: ``{"field", "op": eq|ne|gt|lt|has, "value"}``; ``region``: the rule's
    phone region (``field_match.region_of``)."""
    name = str(condition.get("field"))
    actual = _value(record, name)
    wanted = condition.get("value")
    op = condition.get("op")
    if op == "has":
        return isinstance(actual, list) and str(wanted).casefold() in actual
    if op in ("gt", "lt"):
        try:
            number, limit = float(actual), float(wanted)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return number > limit if op == "gt" else number < limit
    custom = record.custom_defs.get(name)
    if custom is not None:
        same = field_match.same(custom, actual, wanted, region)
    else:
        same = _same(actual, wanted)
    return same if op == "eq" else not same


def _same(actual: Any, wanted: Any) -> bool:
    if actual is None or wanted is None:
        return actual is wanted
    return str(actual).casefold() == str(wanted).casefold()


def matches(conditions: list[Any], record: Record, region: str) -> bool:
    return all(check_one(condition, record, region) for condition in conditions)
