"""/report by a deal list field: won and lost per option ("won by product line").

For the deals closed in the period (a manager: their own), each option of a deal field
of a list or yes/no type gets the deals won, their amount, and the deals lost; the
deals with no value are counted as "not set". A deal with several options of a
"several of a list" field counts under each of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from crm.access import is_staff
from crm.cards import CardKind
from crm.errors import ErrorCode, InvalidInput, NotFound
from crm.field_rules import options_of
from crm.lost_reasons import not_spam
from crm.parsing.fields import LIST_TYPES, FieldType
from storage.models import Deal, FieldDef, FieldValue, Stage, User

REPORT_TYPES = LIST_TYPES | {FieldType.YES_NO}


@dataclass(frozen=True)
class FieldFigures:
    value: int | None  # an option id; 1/0 for yes/no; None: not set
    won: int
    won_amount: int  # minor units
    lost: int


async def report_field(session: AsyncSession, field_id: int) -> FieldDef:
    """A deal field the report can group by; refused otherwise (deleted, or forged)."""
    field = await session.get(FieldDef, field_id)
    if field is None:
        raise NotFound(ErrorCode.FIELD_GONE)
    if field.kind != CardKind.DEAL.value or field.type not in REPORT_TYPES:
        raise InvalidInput(ErrorCode.BAD_CARD)
    return field


async def figures_by_field(
    session: AsyncSession, actor: User, field: FieldDef, start: datetime, end: datetime
) -> list[FieldFigures]:
    """Per value in the field's order (the options, or yes then no), "not set" last;
    values nobody has are left out."""
    mine: ColumnElement[bool] = true() if is_staff(actor) else Deal.manager_id == actor.id
    rows = await session.execute(
        select(Stage.kind, Deal.amount_minor, FieldValue.int_value)
        .join(Stage, Stage.id == Deal.stage_id)
        .outerjoin(FieldValue, and_(FieldValue.deal_id == Deal.id, FieldValue.field_id == field.id))
        .where(
            mine,
            Deal.closed_at >= start,
            Deal.closed_at < end,
            Stage.kind.in_(("won", "lost")),
            not_spam(),
        )
    )
    totals: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])
    for kind, amount, value in rows.all():
        row = totals[value]
        if kind == "won":
            row[0] += 1
            row[1] += int(amount)
        else:
            row[2] += 1
    order: list[int | None] = (
        [1, 0] if field.type == FieldType.YES_NO else [o.id for o in options_of(field)]
    )
    order.append(None)
    return [FieldFigures(value, *totals[value]) for value in order if value in totals]
