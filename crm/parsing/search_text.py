"""Text folding for search, so that "ЁЛКА", "Ёлка" and "елка" all find the same client."""

from __future__ import annotations

import unicodedata

# After a tag ending a sentence ("#vip."), no part of it: a card's tags dialog and an
# import's Tags column read the tag without them (``tag_text``).
TAG_STOPS = ".!?:…"


def fold(text: str) -> str:
    """Return a search key for ``text``: case-folded, with ё merged into е, spaces collapsed.

    ``casefold`` (not ``lower``) is used because it also folds things like ``ß`` → ``ss``.
    Russian speakers type ``е`` for ``ё`` most of the time, so the two must compare equal.
    NFC normalisation first turns a decomposed ``е`` + combining diaeresis into ``ё`` so
    that it gets folded too, whatever keyboard or OS produced it.
    """
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(folded.split())


# Characters that show nothing by themselves: controls, format marks (U+200B…U+200F,
# U+202A…U+202E, U+2060, U+FEFF), separators.
_UNSEEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Zs"})


def shows(text: str) -> bool:
    """Does anything of ``text`` show? A paste of direction marks alone does not."""
    return any(unicodedata.category(char) not in _UNSEEN for char in text)


def unseen(text: str) -> bool:
    """Was something typed of which nothing shows? A step that takes no answer as "none"
    (a client's city, a call's note) refuses such a paste as empty, as every other step does,
    instead of reading it as none."""
    return bool(text.strip()) and not shows(text)


def one_line(text: str) -> str:
    """``text`` as a name or a title is kept: spaces collapsed, and "" when nothing of it
    shows, so that the "empty" refusal covers a text of invisible marks too."""
    line = " ".join(text.split())
    return line if shows(line) else ""


def tag_text(typed: str) -> str:
    """A tag as typed (a card's tags dialog, an import's Tags cell): without its ``#`` and
    a sentence's stop after it (``#vip.`` is vip), lower-cased; "" when nothing of it shows."""
    return one_line(typed.strip().lstrip("#").rstrip(TAG_STOPS)).lower()
