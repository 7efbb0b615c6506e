"""A card's text within Telegram's limit, rendered once (handlers.kit.screen.fitted); a long
text cut into messages (message_parts)."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.utils.formatting import Bold, Italic, Text, as_line

from handlers.kit.screen import Rendered, clipped, fitted, message_parts, utf16_length

HEAD = [as_line(Bold("👤 Иван Петров")), as_line("📞 +7 999 123-45-67")]
TAIL = [as_line(), Italic("✍️ hint")]


def lines(n: int, size: int = 10) -> list[Any]:
    return [as_line(Bold(f"{i:02}"), " ", "x" * (size - 4)) for i in range(n)]


def plain(head: list[Any], kept: list[Any], tail: list[Any]) -> tuple[str, list[Any]]:
    return Text(*head, *kept, *tail).render()


def units(head: list[Any], kept: list[Any], tail: list[Any]) -> int:
    """How long Telegram counts the text: the head's emoji are two units each."""
    return utf16_length(plain(head, kept, tail)[0])


@pytest.mark.parametrize(
    ("count", "limit", "kept"),
    [
        (0, 10, 0),  # nothing to leave out: head and tail even over the limit
        (5, 4000, 5),  # all fit
        (5, units(HEAD, lines(5), TAIL), 5),  # exactly at the limit
        (5, units(HEAD, lines(5), TAIL) - 1, 4),  # one unit over: the last out
        (5, units(HEAD, lines(2), TAIL), 2),
        (5, len(plain(HEAD, lines(5), TAIL)[0]), 4),  # as many characters: the emoji count twice
        (5, 10, 0),  # none fits
    ],
)
def test_as_many_lines_as_fit_the_last_ones_left_out(count: int, limit: int, kept: int) -> None:
    text = fitted(HEAD, lines(count), TAIL, limit)
    assert text.render() == plain(HEAD, lines(count)[:kept], TAIL)
    assert text.as_kwargs() == Text(*HEAD, *lines(count)[:kept], *TAIL).as_kwargs()


def test_rendered_once_and_the_same_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    render = Text.render

    def counted(self: Text, **kwargs: Any) -> tuple[str, list[Any]]:
        if type(self) is Rendered:
            calls.append(1)
        return render(self, **kwargs)

    monkeypatch.setattr(Text, "render", counted)
    text = fitted(HEAD, lines(3), TAIL, 4000)
    first = text.as_kwargs()
    first["entities"].clear()  # a caller's list is its own
    second = text.as_kwargs()
    assert second == Text(*HEAD, *lines(3), *TAIL).as_kwargs() and second["entities"]
    assert len(calls) == 1  # measured and sent: one rendering


def test_inside_another_text_it_renders_at_its_place() -> None:
    inner = Rendered(Bold("b"), "c")
    assert inner.render()[0] == "bc"
    assert Text("aaa", inner).render() == Text("aaa", Text(Bold("b"), "c")).render()


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("short", 8, ["short"]),
        ("ab cd\nef gh\nij", 8, ["ab cd", "ef gh\nij"]),  # at the last line break that fits
        ("abcde fgh ij", 8, ["abcde", "fgh ij"]),  # else at the last space
        ("a" * 10, 8, ["a" * 8, "aa"]),  # else where it is full
        ("😀" * 6, 8, ["😀" * 4, "😀" * 2]),  # an emoji is two units to Telegram
        ("aaaaaaaa\n", 8, ["aaaaaaaa"]),  # no empty message after the last
        ("", 8, [""]),
    ],
)
def test_a_long_text_is_cut_into_messages_losing_nothing(
    text: str, limit: int, parts: list[str]
) -> None:
    assert message_parts(text, limit) == parts


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 3, "abc"),  # fits: as it is
        ("abcd", 3, "ab…"),
        ("😀😀😀", 6, "😀😀😀"),  # three emoji are six units
        ("😀😀😀", 5, "😀😀…"),
        ("😀😀😀", 4, "😀…"),  # a pair is never split
        ("a😀b", 3, "a…"),
        ("", 0, ""),
    ],
)
def test_clipped_counts_as_telegram_counts(text: str, limit: int, expected: str) -> None:
    assert clipped(text, limit) == expected
    assert utf16_length(clipped(text, limit)) <= max(limit, 0)
