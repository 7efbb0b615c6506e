"""The last guard before a proactive message goes out: Telegram refuses a text over 4096
UTF-16 units (a caption over 1024), and a refused outbox row is given up, so the reader
would hear nothing. Screens fit themselves with room to spare; whatever still comes out
too long (long names, many items) is cut, its formatting kept, and ends in "…"."""

from __future__ import annotations

from typing import Any

from aiogram.types import MessageEntity

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"


def within_limit(kwargs: dict[str, Any], key: str, limit: int) -> dict[str, Any]:
    """``kwargs`` of a send (``text`` and ``entities``, or ``caption`` and
    ``caption_entities``) with the text cut to ``limit`` UTF-16 units when longer."""
    text = kwargs.get(key)
    if not isinstance(text, str):
        return kwargs
    encoded = text.encode("utf-16-le")
    if len(encoded) // 2 <= limit:
        return kwargs
    units = limit - len(ELLIPSIS)
    if 0xD800 <= int.from_bytes(encoded[2 * units - 2 : 2 * units], "little") <= 0xDBFF:
        units -= 1  # not between the two halves of an emoji
    entities_key = "entities" if key == "text" else f"{key}_entities"
    entities: list[MessageEntity] = []
    for entity in kwargs.get(entities_key) or ():
        end = min(entity.offset + entity.length, units)
        if end > entity.offset:
            entities.append(entity.model_copy(update={"length": end - entity.offset}))
    cut = encoded[: 2 * units].decode("utf-16-le") + ELLIPSIS
    return {**kwargs, key: cut, entities_key: entities}
