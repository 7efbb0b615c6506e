"""The team's custom fields in rules: checked when a rule is saved, written by "change a field".

A rule may watch or change a custom field of a client or a deal (the fields
of the team's own record types have no client to act on). The value a rule
writes, waits for or checks is typed by the owner and parsed by the field's own
parser when the rule is saved, so a rule never fails later on a value it cannot
store, and compares a value in the field's own form (``field_match``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.automation.field_match import canonical
from crm.automation.parts import custom_id
from crm.cards import CardKind, CardRef, value_column
from crm.errors import ErrorCode, InvalidInput
from crm.field_plain import Reading
from crm.field_rules import parse_for_field
from crm.field_values import Plain, plain_of, refresh_search, rows_for, shown_text, value_text
from crm.parsing.fields import SEARCH_TYPES, FieldType
from storage.models import Client, Deal, FieldDef, FieldValue

CARD_KINDS = (CardKind.CLIENT.value, CardKind.DEAL.value)


def field_key(field_id: int) -> str:
    """How a rule names a custom field in a "field changes" trigger."""
    return f"custom.{field_id}"


async def card_field(session: AsyncSession, field_id: object) -> FieldDef:
    """A client's or a deal's custom field, or InvalidInput naming the rule's part."""
    field = await session.get(FieldDef, field_id) if isinstance(field_id, int) else None
    if field is None or field.kind not in CARD_KINDS:
        raise InvalidInput(ErrorCode.BAD_RULE, part="field")
    return field


async def named_field(session: AsyncSession, key: str) -> FieldDef:
    """The field a rule names as ``custom.<id>``, as ``card_field`` finds it."""
    return await card_field(session, custom_id(key))


async def check(
    session: AsyncSession,
    trigger: str,
    params: dict[str, Any],
    actions: list[dict[str, Any]],
    region: str,
    conditions: Sequence[dict[str, Any]] = (),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The custom fields a rule names exist where it can act, and its values fit them.

    Returns the trigger's parameters and the conditions with each value a custom field
    is compared to in the field's own form (``field_match.canonical``).
    """
    kept: list[dict[str, Any]] = []
    for condition in conditions:
        checked = str(condition.get("field", ""))
        if checked.startswith("custom."):
            field = await named_field(session, checked)
            if condition.get("op") in ("eq", "ne") and condition.get("value") is not None:
                condition = {
                    **condition,
                    "value": canonical(field, str(condition["value"]), region),
                }
        kept.append(condition)
    if trigger == "date_approaching":
        field = await card_field(session, params.get("field_id"))
        if field.type != FieldType.DATE:
            raise InvalidInput(ErrorCode.BAD_RULE, part="field")
    watched = str(params.get("field", "")) if trigger == "field_changed" else ""
    if watched.startswith("custom."):
        field = await named_field(session, watched)
        if params.get("value") is not None:
            params = {**params, "value": canonical(field, str(params["value"]), region)}
    for action in actions:
        if action.get("type") == "set_field":
            field = await card_field(session, action.get("field_id"))
            parse_for_field(field, str(action.get("value", "")), region)
    return params, kept


async def write(
    session: AsyncSession,
    field: FieldDef,
    card: Client | Deal,
    text: str,
    region: str,
    now: datetime,
) -> tuple[Plain, Plain]:
    """Put the value on the card, replacing the old one; returns (old, new) plain values.

    As a member's change (``FieldValues.apply``), a change is the card's latest activity
    and a searchable value goes into the card's search line.
    """
    ref = CardRef(CardKind.DEAL if isinstance(card, Deal) else CardKind.CLIENT, card.id)
    column = value_column(ref.kind)
    old_rows = list(
        await session.scalars(
            select(FieldValue).where(column == ref.id, FieldValue.field_id == field.id)
        )
    )
    new_rows = rows_for(field, ref, parse_for_field(field, text, region))
    old, new = plain_of(field, old_rows), plain_of(field, new_rows)
    if old != new:
        await session.execute(
            delete(FieldValue).where(column == ref.id, FieldValue.field_id == field.id)
        )
        session.add_all(new_rows)
        card.last_activity_at = now
        if FieldType(field.type) in SEARCH_TYPES:
            await session.flush()  # the search line reads the values back
            await refresh_search(session, ref, card)
    return old, new


async def card_fields(session: AsyncSession) -> list[FieldDef]:
    """The clients' and the deals' custom fields (a template's ``{custom.<id>}``)."""
    rows = await session.scalars(
        select(FieldDef)
        .where(FieldDef.kind.in_((CardKind.CLIENT.value, CardKind.DEAL.value)))
        .order_by(FieldDef.kind, FieldDef.position, FieldDef.id)
    )
    return list(rows)


async def custom_values(
    session: AsyncSession,
    fields: list[FieldDef],
    client_id: int,
    deal_id: int | None,
    shown: Reading | None = None,
) -> dict[str, str | None]:
    """Every custom field's value on the client (and its deal) as text, None when empty:
    as automation compares it, or with ``shown`` (its reader: their language and words, the
    team's currency) as a template shows it (``shown_text``)."""
    cards = [FieldValue.client_id == client_id]
    if deal_id is not None:
        cards.append(FieldValue.deal_id == deal_id)
    rows = list(
        await session.scalars(
            select(FieldValue).where(FieldValue.field_id.in_([f.id for f in fields]), or_(*cards))
        )
    )
    values: dict[str, str | None] = {}
    for field in fields:
        mine = [
            r
            for r in rows
            if r.field_id == field.id
            and (r.deal_id is not None if field.kind == CardKind.DEAL else r.client_id is not None)
        ]
        plain = plain_of(field, mine)
        text = value_text(field, plain) if shown is None else shown_text(field, plain, shown)
        values[field_key(field.id)] = text or None
    return values
