"""A card's page of history: the heading says which events it shows, and the next page
starts right after the last one shown, whatever the card's length left out.

A card is cut to Telegram's limit (``screen.fitting``): the last events of a page may not
fit. The buttons carry the index of the first event to show (0: the newest), so the
events left out open the next page instead of being skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from handlers.kit.screen import MESSAGE_CHARS, Rendered, fitting

T = TypeVar("T")

HISTORY_PAGE = 10
"""Events read for a page (the newest first); fewer are shown when the card is long."""


@dataclass(frozen=True)
class HistoryPage:
    text: Text
    first: int  # the first event shown, 0 the newest
    shown: int
    total: int

    def of(self, events: Sequence[T]) -> Sequence[T]:
        """Of the ``events`` read for the page, the ones it shows (what its buttons may
        name: a file or a note cut from the card is on the next page, not this one)."""
        return events[: self.shown]

    @property
    def newer(self) -> int | None:
        """Where "◀️ Newer" starts: a page back (None on the first)."""
        return max(0, self.first - HISTORY_PAGE) if self.first > 0 else None

    @property
    def older(self) -> int | None:
        """Where "Older ▶️" starts: right after the last event shown (None past the last)."""
        after = self.first + max(self.shown, 1)
        return after if after < self.total else None


def history_page(
    head: Sequence[Any],
    lines: Sequence[Any],
    tail: Sequence[Any],
    first: int,
    total: int,
    limit: int = MESSAGE_CHARS,
) -> HistoryPage:
    """``head``, the heading "History (first–last of total)", as many of the page's event
    ``lines`` as fit ``limit`` (at least one), then ``tail``."""

    def heading(shown: int) -> Text:
        title = _("History ({first}–{last} of {total})").format(
            first=first + 1, last=first + shown, total=total
        )
        return as_line(Bold(title))

    # measured with the longest heading: the true one is never longer
    _text, shown = fitting([*head, heading(len(lines))], lines, tail, limit)
    shown = max(shown, min(len(lines), 1))
    text = Rendered(*head, heading(shown), *lines[:shown], *tail)
    return HistoryPage(text, first, shown, total)
