"""A rule's value for a custom field, read the way the field reads what a person types.

The owner types the value a rule waits for ("Paid changes to yes", "only if Budget is
5000") as they would on the card, and the card keeps a value in its own form (yes/no as
true, money in kopecks, a date as a date, a phone as +7…). So a rule keeps its value as
the field gives a value back as text (``value_text``: "да", "5000.00", "01.01.2027",
"+79991234567", an option's own name) and a card's value is compared in that form too. A
rule saved before its values were read so keeps the owner's text: it is read by the
field's parser when compared, and compared as typed when the parser refuses it.
"""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal, InvalidOperation

from crm.errors import InvalidInput
from crm.field_plain import Plain, plain_of, value_text
from crm.field_rules import parse_for_field
from crm.parsing.fields import FieldType, Parsed
from storage.models import AutomationRule, FieldDef

DEFAULT_REGION = "RU"


def plain_of_parsed(field: FieldDef, parsed: Parsed) -> Plain:
    """The plain form (an event's "new") of the value the field would store for ``parsed``."""
    return plain_of(field, [Parsed(int_value=o) for o in parsed.option_ids] or [parsed])


def canonical(field: FieldDef, text: str, region: str) -> str:
    """``text`` as the field gives it back ("yes" → "да", "5 000" → "5000.00"); InvalidInput
    when the field cannot hold it."""
    return value_text(field, plain_of_parsed(field, parse_for_field(field, text, region)))


def same(field: FieldDef, actual: object, wanted: object, region: str) -> bool:
    """Whether a card's value (as ``value_text``; None: empty) is the rule's ``wanted``."""
    if actual is None or wanted is None:
        return actual is wanted
    with suppress(InvalidInput):  # a rule saved before values were checked: compared as typed
        wanted = canonical(field, str(wanted), region)
    return _compared(field, str(actual)) == _compared(field, str(wanted))


def _compared(field: FieldDef, text: str) -> object:
    """What two values of the field are equal by: a number's value ('2.50' is '2.5'), a
    multiple choice's options in any order, else the text in any case."""
    if field.type == FieldType.NUMBER:
        with suppress(InvalidOperation):
            return Decimal(text)
    if field.type == FieldType.MULTI_CHOICE:
        return frozenset(part.strip().casefold() for part in text.split(","))
    return text.casefold()


def region_of(rule: AutomationRule) -> str:
    """The phone region the rule reads its values with (the team's when it was saved)."""
    return str(rule.state.get("region") or DEFAULT_REGION)
