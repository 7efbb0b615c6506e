"""A custom field's value as its reader reads it, on a card and in its history. Pure.

The plain value (``crm.field_plain``) is what events keep: money in minor units, a date
in ISO form, yes/no as a boolean, a number as ``4.5``. Shown as such, a history read
"Оборот: — → 150000000" for 1 500 000 ₽ and "Проверен: — → True".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from crm.money import format_number
from crm.parsing.fields import FieldType
from handlers.kit.stages import money

CURRENCY = "RUB"


def plain_text(type_: object, value: object) -> str:
    """``value`` of a field of type ``type_`` (None: unknown, an event from before types
    were kept) in the reader's language; "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, int):  # only money is kept as a whole number
        return money(value, CURRENCY)
    text = str(value)
    if type_ == FieldType.DATE:
        try:
            return date.fromisoformat(text).strftime("%d.%m.%Y")
        except ValueError:
            return text
    if type_ == FieldType.NUMBER:
        return number_text(text)
    return text


def number_text(text: str) -> str:
    """A number field's value with the reader's decimal mark and groups: ``4,5`` and
    ``1 000 000`` in Russian, ``4.5`` and ``1 000 000`` (narrow spaces) in English."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return shown_number(number)


def shown_number(number: Decimal | float) -> str:
    """A number (a field's, a deal line's quantity, a filter's bound) as its reader
    writes it: ``2,5`` and ``1 000 000`` in Russian, ``2.5`` and ``1 000 000`` in English
    (``crm.money.format_number``)."""
    return format_number(number, get_i18n().current_locale)
