"""Filtering a list by custom fields, for every list that has filters (clients, deals).

Pure: which fields can filter, the choices one offers on buttons, what a press or a
typed range means, and the chosen filters in words. A list field filters by one
option, a yes/no field by yes or no, a number, money or date field by a range typed
as people write it (``crm.parsing.ranges``). Each field filters once; a new choice
replaces the old one.
"""

from __future__ import annotations

import math
import re
from datetime import date

from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import ErrorCode, InvalidInput
from crm.field_filters import FieldFilter
from crm.field_rules import options_of
from crm.parsing.fields import (
    FILTER_TYPES,
    LIST_TYPES,
    RANGE_TYPES,
    FieldType,
    FieldValueError,
    parse_value,
)
from crm.parsing.ranges import parse_range
from crm.service import Crm
from handlers.kit.field_texts import shown_number
from handlers.kit.stages import money
from handlers.kit.timeline import shorten
from storage.models import FieldDef

MAX_FILTERS = 5  # fields filtered at once: the list message and its query stay small
MAX_CHOICE_BUTTONS = 40  # a longer list is typed (Telegram keeps 100 buttons a message)
MAX_HELP_OPTIONS = 2000  # characters of the options listed in the question


class StaleChoice(Exception):
    """A press naming a field or an option that is not offered (gone, or forged)."""


def filterable(fields: list[FieldDef]) -> list[FieldDef]:
    return [f for f in fields if f.type in FILTER_TYPES]


def is_typed(field: FieldDef) -> bool:
    """Whether the filter is typed: a range, or one of more options than buttons can hold."""
    if field.type in LIST_TYPES:
        return len(options_of(field)) > MAX_CHOICE_BUTTONS
    return field.type in RANGE_TYPES


def choices(field: FieldDef) -> list[tuple[str, str]]:
    """The buttons' texts and codes for a list or yes/no field (a range is typed)."""
    if field.type in LIST_TYPES:
        return [(option.name, f"o{option.id}") for option in options_of(field)]
    if field.type == FieldType.YES_NO:
        return [(_("yes"), "y"), (_("no"), "n")]
    return []


def chosen(field: FieldDef, code: str) -> FieldFilter:
    """The filter a choice button means; a code the field does not offer is stale."""
    if field.type == FieldType.YES_NO and code in ("y", "n"):
        return FieldFilter(field.id, yes=code == "y")
    if field.type in LIST_TYPES and code.startswith("o") and code[1:].isdigit():
        option_id = int(code[1:])
        if option_id in {o.id for o in options_of(field)}:
            return FieldFilter(field.id, option_ids=(option_id,))
    raise StaleChoice()


def typed_filter(field: FieldDef, text: str) -> FieldFilter:
    """A typed range (number, money, date) or option (a long list: its name or number);
    refused in words if unreadable."""
    try:
        if field.type in LIST_TYPES:
            parsed = parse_value(FieldType.CHOICE, text, options_of(field))
            return FieldFilter(field.id, option_ids=parsed.option_ids[:1])
        found = parse_range(FieldType(field.type), text)
    except FieldValueError as error:
        raise InvalidInput(ErrorCode.BAD_FIELD_VALUE, name=field.name, reason=error.code) from None
    return FieldFilter(field.id, low=found.low, high=found.high)


def with_filter(
    filters: tuple[FieldFilter, ...], field_id: int, new: FieldFilter | None
) -> tuple[FieldFilter, ...]:
    """The filters with this field's replaced by ``new`` (None: the field filters nothing)."""
    kept = tuple(item for item in filters if item.field_id != field_id)
    if new is None:
        return kept
    if len(kept) >= MAX_FILTERS:
        raise InvalidInput(ErrorCode.TOO_MANY_FILTERS, limit=MAX_FILTERS)
    return (*kept, new)


def current(filters: tuple[FieldFilter, ...], fields: list[FieldDef]) -> tuple[FieldFilter, ...]:
    """The filters whose field still exists and can filter (a deleted field's is dropped),
    and of a list field, whose options it still has (a removed option's matches nothing)."""
    by_id = {f.id: f for f in filterable(fields)}
    return tuple(
        item
        for item in filters
        if item.field_id in by_id
        and set(item.option_ids) <= {o.id for o in options_of(by_id[item.field_id])}
    )


async def pruned(
    crm: Crm, kind: CardKind, filters: tuple[FieldFilter, ...], type_id: int | None = None
) -> tuple[tuple[FieldFilter, ...], list[str]]:
    """A list's field filters without those of deleted (or forged) fields, and the rest
    in words (``Fields: Line: Ice · Budget: …``; no line when none)."""
    if not filters:
        return filters, []
    fields = await crm.fields.of(kind, type_id)
    kept = current(filters, fields)
    chosen = words(kept, fields, crm.config.currency)
    line = [_("Fields: {filters}").format(filters=" · ".join(chosen))] if chosen else []
    return kept, line


def words(filters: tuple[FieldFilter, ...], fields: list[FieldDef], currency: str) -> list[str]:
    """``Line: Ice``, ``Budget: 10,000 ₽–50,000 ₽``, ``Since: from 01.03.2026``."""
    by_id = {f.id: f for f in fields}
    parts = []
    for item in filters:
        field = by_id.get(item.field_id)
        if field is not None:
            parts.append(f"{field.name}: {value_words(field, item, currency)}")
    return parts


def value_words(field: FieldDef, item: FieldFilter, currency: str) -> str:
    if item.yes is not None:
        return _("yes") if item.yes else _("no")
    if item.option_ids:
        names = {o.id: o.name for o in options_of(field)}
        return ", ".join(names.get(i, "?") for i in item.option_ids)
    if item.low is not None and item.low == item.high:
        return _bound(item.low, currency) or ""
    above, below = _strictly_past(item.low, +1), _strictly_past(item.high, -1)
    low, high = (_bound(b, currency) for b in (item.low, item.high))
    if above is None and below is None and low is not None and high is not None:
        return f"{low}–{high}"
    said = []
    if above is not None:
        said.append(_("more than {value}").format(value=shown_number(above)))
    elif low is not None:
        said.append(_("from {value}").format(value=low))
    if below is not None:
        said.append(_("less than {value}").format(value=shown_number(below)))
    elif high is not None:
        said.append(_("up to {value}").format(value=high))
    return ", ".join(said) or _("any")


def _strictly_past(bound: int | float | date | None, direction: int) -> float | None:
    """The number a strict ``> 5`` (``direction`` +1) or ``< 5`` (-1) names, when ``bound``
    is the float just past it (``crm.parsing.ranges`` makes a strict bound inclusive so),
    else None: shown as its 15 digits, that bound read "from 5", which holds 5."""
    if not isinstance(bound, float) or not math.isfinite(bound):
        return None
    typed = math.nextafter(bound, -math.inf * direction)
    if typed == 0:  # "< 0": the smallest float below 0, whose 15 digits read as itself
        return 0.0
    if float(f"{bound:.15g}") == bound or float(f"{typed:.15g}") != typed:
        return None
    return typed


def _bound(bound: int | float | date | None, currency: str) -> str | None:
    if bound is None:
        return None
    if isinstance(bound, date):
        return bound.strftime("%d.%m.%Y")
    if isinstance(bound, float):
        return shown_number(bound)
    return money(bound, currency)


def fields_label(count: int) -> str:
    """The list's button to the field filters, with how many are chosen."""
    return _("🧩 Fields: {count}").format(count=count) if count else _("🧩 Fields")


def typed_help(field: FieldDef) -> str:
    """How to type the filter of this field."""
    if field.type in LIST_TYPES:
        listed = ", ".join(f"{i}. {o.name}" for i, o in enumerate(options_of(field), start=1))
        return _("Send the option of “{name}”, its name or its number: {options}").format(
            name=field.name, options=shorten(listed, MAX_HELP_OPTIONS)
        )
    if field.type == FieldType.DATE:
        return _(
            "Send the dates of “{name}”: 01.03.2026-31.03.2026, since 01.03.2026, until 31.03.2026."
        ).format(name=field.name)
    return _(
        "Send the range of “{name}”: from 10000 to 50000, 10000-50000, > 5000 or < 100."
    ).format(name=field.name)


def pack(filters: tuple[FieldFilter, ...]) -> str:
    """Filters in a few characters for callback data (``12o3,14y,15rdfu5k_dfu6a``)."""
    return ",".join(_pack_one(item) for item in filters)


def _pack_one(item: FieldFilter) -> str:
    if item.yes is not None:
        return f"{item.field_id}{'y' if item.yes else 'n'}"
    if item.option_ids:
        return f"{item.field_id}o{item.option_ids[0]}"
    return f"{item.field_id}r{_pack_bound(item.low, +1)}_{_pack_bound(item.high, -1)}"


def _pack_bound(bound: int | float | date | None, direction: int) -> str:
    """Short, as callback data is: a day and an integer in base 36 (a day by its ordinal),
    a strict ``> 5`` (the float just past 5) as ``s5``, not the 17 digits of that float."""
    if bound is None:
        return ""
    if isinstance(bound, date):
        return "d" + _base36(bound.toordinal())
    if isinstance(bound, float):
        typed = _strictly_past(bound, direction)
        return "n" + repr(bound) if typed is None else "s" + f"{typed:.15g}"
    return "i" + _base36(bound)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    sign, number = ("-", -number) if number < 0 else ("", number)
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return sign + out


_PACKED = re.compile(r"^(\d{1,9})(?:(y)|(n)|o(\d{1,9})|r([^_]*)_(.*))$")


def unpack(text: str) -> tuple[FieldFilter, ...]:
    """What ``pack`` wrote; anything malformed (callback data is untrusted) is dropped."""
    found: dict[int, FieldFilter] = {}
    for part in text.split(",")[:MAX_FILTERS]:
        match = _PACKED.match(part)
        if match is None:
            continue
        field_id = int(match[1])
        try:
            if match[2] or match[3]:
                found[field_id] = FieldFilter(field_id, yes=bool(match[2]))
            elif match[4]:
                found[field_id] = FieldFilter(field_id, option_ids=(int(match[4]),))
            else:
                low, high = _unpack_bound(match[5], +1), _unpack_bound(match[6], -1)
                if low is not None or high is not None:
                    found[field_id] = FieldFilter(field_id, low=low, high=high)
        except ValueError:
            continue
    return tuple(found.values())


def _unpack_bound(text: str, direction: int) -> int | float | date | None:
    if not text:
        return None
    kind, raw = text[0], text[1:]
    if kind == "d" and re.fullmatch(r"[0-9a-z]{1,5}", raw):
        return date.fromordinal(int(raw, 36))  # ValueError out of range
    if kind in "ns" and raw:
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError("not finite")
        return number if kind == "n" else math.nextafter(number, math.inf * direction)
    if kind == "i" and re.fullmatch(r"-?[0-9a-z]{1,12}", raw):
        return int(raw, 36)
    raise ValueError("bad bound")
