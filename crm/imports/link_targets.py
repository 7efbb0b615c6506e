"""Columns that hold links: where a column of linked cards' names goes, and the headers that
say so by themselves. Pure.

A link target is ``links_clients``, ``links_deals`` or ``links_type_<id>`` (the records of
one of the team's types; no ":", the separator of callback data). The export names these
columns "Linked clients", "Linked deals" (in the reader's language) and a record type by its
plural, so those headers go to their links without a person choosing: an export sent back
brings its links with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crm.cards import CardKind
from crm.parsing.search_text import fold

LINK_PREFIX = "links_"
LINK_CLIENTS = "links_clients"
LINK_DEALS = "links_deals"
_TYPE_PREFIX = "links_type_"

# The export's own titles (crm.exports.columns.LINK_TITLES and their Russian translation),
# and the few ways people write them.
_HEADERS = {
    LINK_CLIENTS: ("linked clients", "связанные клиенты", "связи с клиентами"),
    LINK_DEALS: ("linked deals", "связанные сделки", "связи со сделками"),
}


@dataclass(frozen=True)
class LinkTo:
    """What a link column's names are: clients, deals, or records of one type."""

    kind: CardKind
    type_id: int | None = None


def type_target(type_id: int) -> str:
    return f"{_TYPE_PREFIX}{type_id}"


def is_link(target: str) -> bool:
    return target.startswith(LINK_PREFIX)


def link_to(target: str) -> LinkTo | None:
    """What a link target names, or None for any other target (or a malformed one)."""
    if target == LINK_CLIENTS:
        return LinkTo(CardKind.CLIENT)
    if target == LINK_DEALS:
        return LinkTo(CardKind.DEAL)
    number = target.removeprefix(_TYPE_PREFIX)
    if number == target or not (number.isascii() and number.isdigit()) or len(number) > 10:
        return None
    return LinkTo(CardKind.RECORD, int(number))


def link_headers(types: Iterable[tuple[int, str]]) -> dict[str, str]:
    """Folded header → link target: the export's titles and each type's plural
    (``types``: id and plural of the team's record types)."""
    found = {fold(name): target for target, names in _HEADERS.items() for name in names}
    for type_id, plural in types:
        found.setdefault(fold(plural), type_target(type_id))
    return found
