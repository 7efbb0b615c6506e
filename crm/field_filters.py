"""Filters on custom fields, as SQL conditions any list query can add to its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select

from crm.cards import CardKind, value_column
from storage.models import Client, Deal, FieldValue, Record


@dataclass(frozen=True)
class FieldFilter:
    """One field's condition: any of ``option_ids`` (list fields), ``yes`` (yes/no),
    or a range ``low``..``high`` (both ends included; either may be open)."""

    field_id: int
    option_ids: tuple[int, ...] = ()
    yes: bool | None = None
    low: int | float | date | None = None
    high: int | float | date | None = None


def _range_column(bound: int | float | date | None) -> str:
    if isinstance(bound, date):
        return "date_value"
    if isinstance(bound, float):
        return "num_value"
    return "int_value"


def field_condition(kind: CardKind, item: FieldFilter) -> ColumnElement[bool]:
    """The cards of ``kind`` whose value of the field matches ``item``."""
    card = value_column(kind)
    query = select(card).where(FieldValue.field_id == item.field_id)
    if item.option_ids:
        query = query.where(FieldValue.int_value.in_(item.option_ids))
    if item.yes is not None:
        query = query.where(FieldValue.int_value == (1 if item.yes else 0))
    if item.low is not None or item.high is not None:
        column = getattr(FieldValue, _range_column(item.low if item.low is not None else item.high))
        if item.low is not None:
            query = query.where(column >= item.low)
        if item.high is not None:
            query = query.where(column <= item.high)
    own = {CardKind.CLIENT: Client.id, CardKind.DEAL: Deal.id, CardKind.RECORD: Record.id}[kind]
    return own.in_(query)


def field_conditions(kind: CardKind, items: tuple[FieldFilter, ...]) -> list[ColumnElement[bool]]:
    return [field_condition(kind, item) for item in items]
