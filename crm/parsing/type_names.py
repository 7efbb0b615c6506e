"""A record type's names as the owner types them: ``🏭 Поставщик / Поставщики``. Pure."""

from __future__ import annotations

from typing import NamedTuple


class TypeNames(NamedTuple):
    emoji: str | None  # None: none typed
    singular: str
    plural: str
    alone: bool = False  # one name given, no plural (then the plural is the singular)


def read_type_names(text: str) -> TypeNames:
    """An emoji first when the first word has no letter or digit, then the singular and the
    plural split by ``/``; one name alone is both. The names are checked by the CRM."""
    rest = text.strip()
    emoji = None
    first = rest.split(maxsplit=1)
    if len(first) == 2 and not any(char.isalnum() for char in first[0]):
        emoji, rest = first
    singular, _sep, plural = rest.partition("/")
    return TypeNames(emoji, singular, plural or singular, not plural.strip())
