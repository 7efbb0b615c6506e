"""The plain form of a custom field's value, and a card's values as it shows them. Pure.

The plain form of a value (what events, exports and automation see) is JSON:
text types, numbers → str; money → int (minor units); date → ISO str;
yes/no → bool; one of a list → the option's name; several → a list of names.
``value_text`` turns it back into text that ``FieldValues.set`` accepts, so an
export re-imports as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import NamedTuple, Protocol

from sqlalchemy import Select, bindparam, select

from crm.cards import CardKind, value_column
from crm.field_rules import options_of
from crm.money import format_money, format_number
from crm.parsing.fields import FieldType
from crm.words import N_
from storage.models import FieldDef, FieldValue

Plain = str | int | bool | list[str] | None


@dataclass(frozen=True)
class ShownValue:
    field: FieldDef
    value: Plain  # None: empty


class StoredValue(Protocol):
    """What ``plain_of`` reads of a ``field_values`` row (the ORM object or a ``ValueRow``)."""

    @property
    def int_value(self) -> int | None: ...
    @property
    def date_value(self) -> date | None: ...
    @property
    def text_value(self) -> str | None: ...


class ValueRow(NamedTuple):
    """A row of ``values_query``: plain, as a card only reads its values."""

    id: int
    field_id: int
    int_value: int | None
    date_value: date | None
    text_value: str | None


@cache
def values_query(kind: CardKind) -> Select[int, int, int | None, date | None, str | None]:
    """The values of a card of ``kind`` (bound parameter ``card``: its id), in the columns
    and the order of ``ValueRow``. Built once per kind."""
    return (
        select(
            FieldValue.id,
            FieldValue.field_id,
            FieldValue.int_value,
            FieldValue.date_value,
            FieldValue.text_value,
        )
        .where(value_column(kind) == bindparam("card"))
        .order_by(FieldValue.id)
    )


def shown_values(fields: Sequence[FieldDef], rows: Iterable[ValueRow]) -> list[ShownValue]:
    """Every field in card order with its value (None: empty)."""
    by_field: dict[int, list[ValueRow]] = {}
    for row in rows:
        by_field.setdefault(row.field_id, []).append(row)
    return [ShownValue(f, plain_of(f, by_field.get(f.id, []))) for f in fields]


def plain_of(field: FieldDef, rows: Sequence[StoredValue]) -> Plain:
    if not rows:
        return None
    type_ = FieldType(field.type)
    row = rows[0]
    if type_ in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        names = {o.id: o.name for o in options_of(field)}
        chosen = [names[r.int_value] for r in rows if r.int_value in names]
        if type_ == FieldType.CHOICE:
            return chosen[0] if chosen else None
        return chosen or None
    if type_ == FieldType.MONEY:
        return row.int_value
    if type_ == FieldType.YES_NO:
        return bool(row.int_value)
    if type_ == FieldType.DATE:
        return row.date_value.isoformat() if row.date_value else None
    return row.text_value


def value_text(field: FieldDef, value: Plain) -> str:
    """The plain value as text ``parse_value`` reads back to the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, int):
        return f"{value // 100}.{value % 100:02d}"
    if field.type == FieldType.DATE:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    return value


YES, NO = N_("yes"), N_("no")  # a yes/no field's value as a reader reads it (the catalogs')


@dataclass(frozen=True)
class Reading:
    """Who reads a value (a filled template's reader): their ``language``, the team's
    ``currency``, and ``words``: a text of the catalogs in their language
    (``CrmConfig.words``)."""

    language: str
    currency: str
    words: Callable[[str, str], str]


def shown_text(field: FieldDef, value: Plain, reading: Reading) -> str:
    """The plain value as its reader reads it (a filled template): yes/no in their words,
    money as ``{deal.amount}`` shows it in the team's currency, a number with their decimal
    mark; ``value_text`` stays what automation compares."""
    language = reading.language
    if isinstance(value, bool):
        return reading.words(YES if value else NO, language)
    if isinstance(value, int) and field.type == FieldType.MONEY:
        return format_money(value, reading.currency, language)
    if isinstance(value, str) and field.type == FieldType.NUMBER:
        with contextlib.suppress(ArithmeticError, ValueError):
            return format_number(Decimal(value), language)
    return value_text(field, value)
