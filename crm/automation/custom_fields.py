"""The team's custom fields in rules: checked when a rule is saved, written by "change a field".

A rule may watch or change a custom field of a client or a deal (the fields
of the team's own record types have no client to act on). The value a rule
writes is typed by the owner and parsed by the field's own parser when the
rule is saved, so a rule never fails later on a value it cannot store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind, CardRef, value_column
from crm.errors import ErrorCode, InvalidInput
from crm.field_rules import options_of
from crm.field_values import Plain, plain_of, rows_for, value_text
from crm.parsing.fields import FieldType, FieldValueError, Parsed, parse_value
from storage.models import FieldDef, FieldValue

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


def parse(field: FieldDef, text: str, region: str) -> Parsed:
    try:
        return parse_value(FieldType(field.type), text, options_of(field), region)
    except FieldValueError as error:
        raise InvalidInput(
            ErrorCode.BAD_FIELD_VALUE, reason=error.code, name=field.name, limit=error.limit
        ) from None


async def check(
    session: AsyncSession,
    trigger: str,
    params: dict[str, Any],
    actions: list[dict[str, Any]],
    region: str,
    conditions: Sequence[dict[str, Any]] = (),
) -> None:
    """The custom fields a rule names exist where it can act, and its values fit them."""
    for condition in conditions:
        checked = str(condition.get("field", ""))
        if checked.startswith("custom."):
            number = checked.removeprefix("custom.")
            await card_field(session, int(number) if number.isdigit() else None)
    if trigger == "date_approaching":
        field = await card_field(session, params.get("field_id"))
        if field.type != FieldType.DATE:
            raise InvalidInput(ErrorCode.BAD_RULE, part="field")
    watched = str(params.get("field", "")) if trigger == "field_changed" else ""
    if watched.startswith("custom."):
        number = watched.removeprefix("custom.")
        await card_field(session, int(number) if number.isdigit() else None)
    for action in actions:
        if action.get("type") == "set_field":
            field = await card_field(session, action.get("field_id"))
            parse(field, str(action.get("value", "")), region)


async def write(
    session: AsyncSession, field: FieldDef, ref: CardRef, text: str, region: str
) -> tuple[Plain, Plain]:
    """Put the value on the card, replacing the old one; returns (old, new) plain values."""
    column = value_column(ref.kind)
    old_rows = list(
        await session.scalars(
            select(FieldValue).where(column == ref.id, FieldValue.field_id == field.id)
        )
    )
    new_rows = rows_for(field, ref, parse(field, text, region))
    old, new = plain_of(field, old_rows), plain_of(field, new_rows)
    if old != new:
        await session.execute(
            delete(FieldValue).where(column == ref.id, FieldValue.field_id == field.id)
        )
        session.add_all(new_rows)
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
    session: AsyncSession, fields: list[FieldDef], client_id: int, deal_id: int | None
) -> dict[str, str | None]:
    """Every custom field's value on the client (and its deal) as text, None when empty."""
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
        text = value_text(field, plain_of(field, mine))
        values[field_key(field.id)] = text or None
    return values
