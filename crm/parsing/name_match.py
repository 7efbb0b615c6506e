"""Whether a short text sent with a card open reads as the name of a client.

With a card open, plain text becomes a comment on it; but "кузнецов" typed right
after Алёна's card is more likely a search for Пётр Кузнецов than a note about
her. A text that names a client (each of its words starts a word of the name)
is asked about instead of guessed.
"""

from __future__ import annotations

import re

from crm.parsing.search_text import fold

MAX_NAME_TEXT = 40
MAX_NAME_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def name_words(text: str) -> list[str] | None:
    """The words of ``text`` if it is short and made of letters only, else None."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_NAME_TEXT:
        return None
    folded = fold(stripped).rstrip(".!?")
    words = folded.split()
    if not words or len(words) > MAX_NAME_WORDS:
        return None
    if not all(_WORD.fullmatch(word) for word in words):
        return None
    return words


def looks_like_name(text: str, name: str) -> bool:
    """Each word of ``text`` (three letters at least) starts a word of ``name``."""
    words = name_words(text)
    if words is None:
        return False
    words = [piece for word in words for piece in word.split("-")]
    if any(len(word) < 3 for word in words):
        return False
    parts = fold(name).replace("-", " ").split()
    return all(any(part.startswith(word) for part in parts) for word in words)
