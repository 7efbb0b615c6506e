"""The outbox's last guard: a proactive text over Telegram's limit is cut, not refused."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.types import MessageEntity

from reminders.too_long import within_limit

BOLD = "bold"


def entity(offset: int, length: int) -> MessageEntity:
    return MessageEntity(type=BOLD, offset=offset, length=length)


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "entities", "limit", "expected_text", "expected_entities"),
    [
        ("short", [entity(0, 5)], 10, "short", [(0, 5)]),
        ("exactly10!", [], 10, "exactly10!", []),
        ("abcdefghijk", [], 10, "abcdefghi…", []),
        ("abcdefghijk", [entity(0, 3), entity(7, 4), entity(9, 2)], 10, "abcdefghi…",
         [(0, 3), (7, 2)]),
        ("abcdefgh😀xyz", [], 10, "abcdefgh…", []),  # the emoji's two halves stay together
        ("abcdefg😀xyz", [entity(7, 2)], 10, "abcdefg😀…", [(7, 2)]),
    ],
)  # fmt: skip
def test_cut_within_the_limit_with_its_formatting(
    text: str,
    entities: list[MessageEntity],
    limit: int,
    expected_text: str,
    expected_entities: list[tuple[int, int]],
) -> None:
    kwargs: dict[str, Any] = {"text": text, "entities": entities, "parse_mode": None}
    out = within_limit(kwargs, "text", limit)
    assert out["text"] == expected_text and units(out["text"]) <= limit
    assert [(e.offset, e.length) for e in out["entities"]] == expected_entities
    assert out["parse_mode"] is None


def test_a_caption_is_cut_with_its_own_entities() -> None:
    kwargs: dict[str, Any] = {"caption": "x" * 20, "caption_entities": [entity(15, 5)]}
    out = within_limit(kwargs, "caption", 16)
    assert out["caption"] == "x" * 15 + "…" and out["caption_entities"] == []
