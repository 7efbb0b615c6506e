"""Text folding for search, so that "ЁЛКА", "Ёлка" and "елка" all find the same client."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Return a search key for ``text``: case-folded, with ё merged into е, spaces collapsed.

    ``casefold`` (not ``lower``) is used because it also folds things like ``ß`` → ``ss``.
    Russian speakers type ``е`` for ``ё`` most of the time, so the two must compare equal.
    NFC normalisation first turns a decomposed ``е`` + combining diaeresis into ``ё`` so
    that it gets folded too, whatever keyboard or OS produced it.
    """
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(folded.split())
