"""A text cut to fit one line of a screen (``handlers.kit.timeline`` offers it too)."""

from __future__ import annotations

import re

MAX_NOTE_SHOWN = 200
_BREAKING_SPACES = re.compile(r"[^\S\u00a0\u2007\u202f]+")  # whitespace, less no-break spaces


def shorten(text: str, limit: int = MAX_NOTE_SHOWN) -> str:
    """``text`` on one line (runs of spaces and line breaks one space), cut to ``limit``.
    No-break spaces stay: an amount's ``2 000 ₽`` or a quantity's ``1 500`` is not cut
    across lines (``str.split`` took them for spaces)."""
    text = _BREAKING_SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
