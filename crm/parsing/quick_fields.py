"""Required custom fields recognised in the one-line quick add (``/new …``). Pure.

Only what can be told apart from the client's own data is taken:

- a web address (``firm.ru``, ``https://firm.ru/price``, ``www.firm.ru``) goes to the
  required link fields in order (a client has no link of its own); it is taken out of
  the line before the name and company are read;
- a second (third…) email goes to the required email fields in order, the first stays
  the client's; the same for phones.

Everything else a required field needs is asked in the dialog.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from crm.parsing.fields import FieldType, FieldValueError, parse_value

_WEB = re.compile(r"^(?:https?://\S+|www\.\S+|(?:[\w-]+\.)+(?:[a-z]{2,24}|рф)(?:/\S*)?)$", re.I)
_SEPARATORS = ",;"


@dataclass(frozen=True)
class QuickFields:
    line: str  # what is left for the name, contacts and company
    values: dict[int, str] = field(default_factory=dict)  # field id → text


def take_links(line: str, link_fields: Sequence[int]) -> QuickFields:
    """Web addresses for the link fields (ids, in card order), taken out of the line."""
    if not link_fields:
        return QuickFields(line)
    kept: list[str] = []
    values: dict[int, str] = {}
    waiting = list(link_fields)
    for token in line.split():
        core = token.rstrip(_SEPARATORS)
        if waiting and "@" not in core and _WEB.match(core) and _is_url(core):
            values[waiting.pop(0)] = core
            continue
        kept.append(token)
    return QuickFields(" ".join(kept), values)


def _is_url(text: str) -> bool:
    try:
        parse_value(FieldType.URL, text)
    except FieldValueError:
        return False
    return True


def share_extra(
    found: Sequence[str], field_ids: Sequence[int]
) -> tuple[tuple[str, ...], dict[int, str]]:
    """The first value stays the client's; the next go to the fields in order."""
    if not found:
        return (), {}
    extra = list(found[1:])
    values = {field_id: extra.pop(0) for field_id in field_ids if extra}
    return (found[0], *extra), values
