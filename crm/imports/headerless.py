"""A file with no row of column names: its first row is a client's, not a header. Pure.

A header names its columns; none of them is a phone or an e-mail. A first row that names
no column the import knows and holds a phone or an e-mail ('Иван Петров;8 916 123-45-67')
is the first client: it is imported too (taken for the header, it was lost unsaid), and
each column's target is proposed by what the column holds (``hints``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crm.imports.mapping import Target, guess
from crm.parsing.cells import CellValue, DateError, cell_date, cell_text

SAMPLE = 100  # the rows a column's content is judged by
_PHONE = re.compile(r"\+?[\d\s()-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def is_data(names: Sequence[str]) -> bool:
    """Whether a header row is a client's row: it names no column the import knows, and
    some cell of it is a phone or an e-mail."""
    if any(guess(name) != Target.SKIP for name in names):
        return False
    return any(_kind(name) is not None for name in names)


def hints(rows: Sequence[Sequence[CellValue]], width: int) -> list[str]:
    """Each column's target by what most of its cells hold: phones, e-mails; the first
    other column of words is the name; the rest are skipped."""
    targets: list[str] = []
    named = False
    for column in range(width):
        cells = [cell_text(row[column]) for row in rows[:SAMPLE] if column < len(row)]
        texts = [text for text in cells if text]
        kinds = [_kind(text) for text in texts]
        target: str = Target.SKIP
        for kind in (Target.PHONE, Target.EMAIL):
            if texts and kinds.count(kind) * 2 > len(texts):
                target = kind
        words = sum(any(ch.isalpha() for ch in text) and "@" not in text for text in texts)
        if target == Target.SKIP and not named and texts and words * 2 > len(texts):
            target, named = Target.NAME, True
        targets.append(str(target))
    return targets


def _kind(text: str | None) -> Target | None:
    if not text:
        return None
    if _EMAIL.fullmatch(text):
        return Target.EMAIL
    if _PHONE.fullmatch(text) and 7 <= sum(ch.isdigit() for ch in text) <= 15:
        return None if _a_date(text) else Target.PHONE  # 2024-01-31 is no phone
    return None


def _a_date(text: str) -> bool:
    try:
        return cell_date(text) is not None
    except DateError:
        return False
