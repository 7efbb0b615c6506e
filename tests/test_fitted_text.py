"""A card's text within Telegram's limit, rendered once (handlers.kit.screen.fitted), its
lists shortened saying how many they leave out (fitting, cut_to_fit); a long text cut into
messages (message_parts)."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.utils.formatting import Bold, Italic, Text, as_line

from handlers.kit.screen import (
    Rendered,
    clipped,
    cut_to_fit,
    fitted,
    fitting,
    message_parts,
    utf16_length,
)

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


def more(left: int) -> list[Any]:
    return [as_line(f"…+{left}")]


@pytest.mark.parametrize(
    ("count", "total", "limit", "kept", "said"),
    [
        (5, None, 4000, 5, None),  # all fit: nothing said
        (5, 7, 4000, 5, 2),  # only the first five given: two more said
        (5, None, units(HEAD, lines(5), TAIL), 5, None),
        (5, None, units(HEAD, lines(5), TAIL) - 1, 4, 1),  # "…+1" is shorter than a line
        (5, 7, units(HEAD, lines(5), TAIL), 4, 3),  # "…+2" did not fit with the five
        (5, None, units(HEAD, lines(2), TAIL) + len("…+3\n"), 2, 3),  # measured with it
        (5, None, units(HEAD, lines(2), TAIL) + len("…+3\n") - 1, 1, 4),
        (5, None, 10, 0, 5),  # none fits: all of them said
        (0, None, 10, 0, None),  # none to leave out
    ],
)
def test_the_lines_left_out_are_said_and_measured(
    count: int, total: int | None, limit: int, kept: int, said: int | None
) -> None:
    text, shown = fitting(HEAD, lines(count), TAIL, limit, more, total)
    expected = [*lines(count)[:kept], *(more(said) if said else [])]
    assert shown == kept
    assert text.as_kwargs() == Text(*HEAD, *expected, *TAIL).as_kwargs()


def listed(lists: list[list[str]]) -> Any:
    """Each list's lines shown, one a line, and "+n" for the ones it leaves out."""

    def text(shown: Any) -> Text:
        out: list[str] = []
        for lines_, n in zip(lists, shown, strict=True):
            out += lines_[:n] + ([f"+{len(lines_) - n}"] if n < len(lines_) else [])
        return Text("\n".join(out))

    return text


@pytest.mark.parametrize(
    ("lists", "limit", "shown"),
    [
        ([["aaa", "bbb"]], 7, [2]),  # "aaa\nbbb": fits
        ([["aaa", "bbb"]], 6, [1]),  # "aaa\n+1"
        ([["aaa", "bbb"]], 5, [0]),  # "+2"
        ([["aaa", "bbb"]], 1, [0]),  # nothing fits: no line left, over the limit
        ([["a", "b", "c"], ["dd", "ee"]], 11, [3, 2]),
        # the longer list first ("a\nb\n+1\ndd\nee" is 12), then the first of two as long
        ([["a", "b", "c"], ["dd", "ee"]], 10, [1, 2]),
        ([[], ["a", "b"]], 1, [0, 0]),  # a list of none is never cut
        ([["😀😀", "b"]], 6, [2]),  # an emoji is two units
        ([["😀😀", "b"]], 5, [0]),  # "😀😀\n+1" is 7 units, 5 characters
    ],
)
def test_the_longest_list_is_cut_first_until_it_fits(
    lists: list[list[str]], limit: int, shown: list[int]
) -> None:
    text, kept = cut_to_fit(listed(lists), [len(lines_) for lines_ in lists], limit)
    assert kept == shown
    assert text.render() == listed(lists)(shown).render()


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


@pytest.mark.parametrize(
    "before",
    [[], ["plain "], [Bold("😀 bold"), " and "], [Italic("x"), Bold("y", Italic("z"))]],
)
def test_a_part_rendered_once_reads_the_same_inside_a_larger_text(before: list[Any]) -> None:
    """A card's head is measured on its own, then put after other parts: its entities
    move with it, as if it had been rendered in place."""
    parts = [Bold("👤 Anna"), "\n", "📞 ", Italic("+7 999"), "\n"]
    measured = Rendered(*parts)
    measured.render()  # measured first, as cut_to_fit does
    assert (
        Text(*before, measured, Bold("end")).render()
        == Text(*before, Text(*parts), Bold("end")).render()
    )
    assert Rendered(*before, measured).render() == Text(*before, *parts).render()
