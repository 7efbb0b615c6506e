"""Filters on custom fields, as SQL conditions any list query can add to its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, intersect, select

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
    own = {CardKind.CLIENT: Client.id, CardKind.DEAL: Deal.id, CardKind.RECORD: Record.id}[kind]
    return own.in_(matching(kind, item))


def matching(kind: CardKind, item: FieldFilter) -> Select[Any]:
    """The ids of the cards of ``kind`` whose value of the field matches ``item``."""
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
    return query


def matching_all(kind: CardKind, items: tuple[FieldFilter, ...]) -> Subquery:
    """The ids of the cards that match every one of ``items`` (one column, ``card_id``).

    Counting a filtered list from these (joined to its table) walks only the
    matching cards; counting with ``IN`` conditions walks the whole list.
    """
    queries = [matching(kind, item).subquery().select() for item in items]
    both = queries[0] if len(queries) == 1 else intersect(*queries)
    return select(both.subquery().c[0].label("card_id")).subquery()


def field_conditions(kind: CardKind, items: tuple[FieldFilter, ...]) -> list[ColumnElement[bool]]:
    return [field_condition(kind, item) for item in items]


def to_plain(item: FieldFilter) -> dict[str, Any]:
    """A JSON-safe form of the filter (for a list's remembered filters); ``from_plain`` reads it."""
    plain: dict[str, Any] = {"f": item.field_id}
    if item.option_ids:
        plain["o"] = list(item.option_ids)
    if item.yes is not None:
        plain["y"] = item.yes
    for key, bound in (("lo", item.low), ("hi", item.high)):
        if isinstance(bound, date):
            plain[key] = ["d", bound.isoformat()]
        elif isinstance(bound, float):
            plain[key] = ["n", bound]
        elif isinstance(bound, int):
            plain[key] = ["i", bound]
    return plain


def from_plain(data: object) -> FieldFilter | None:
    """The filter ``to_plain`` wrote; None for anything malformed (stored data is untrusted)."""
    if not isinstance(data, dict):
        return None
    try:
        field_id = data["f"]
        options = data.get("o", [])
        yes = data.get("y")
        if not isinstance(field_id, int) or isinstance(field_id, bool):
            return None
        if not isinstance(options, list) or not all(
            isinstance(o, int) and not isinstance(o, bool) for o in options
        ):
            return None
        if yes is not None and not isinstance(yes, bool):
            return None
        return FieldFilter(
            field_id,
            option_ids=tuple(options),
            yes=yes,
            low=_bound(data.get("lo")),
            high=_bound(data.get("hi")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _bound(value: object) -> int | float | date | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("bad bound")
    kind, raw = value
    if kind == "d" and isinstance(raw, str):
        return date.fromisoformat(raw)
    if kind == "n" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if kind == "i" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise ValueError("bad bound")
