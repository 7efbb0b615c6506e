"""A file with no row of column names: its first row is a client's (or a record's), not a
header. Pure.

A header names its columns; none of them is a phone or an e-mail. A first row that names
no column the import knows and holds a phone or an e-mail ('Иван Петров;8 916 123-45-67')
is the first client: it is imported too (taken for the header, it was lost unsaid), and
each column's target is proposed by what the column holds (``hints``): a client's phone,
e-mail and name, or a record's name and its type's phone, e-mail and date fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from crm.imports.mapping import FIELD_PREFIX, Target, guess
from crm.parsing.cells import CellValue, DateError, cell_date, cell_text
from crm.parsing.fields import FieldType

SAMPLE = 100  # the rows a column's content is judged by
_PHONE = re.compile(r"\+?[\d\s()-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")  # 45000 may be a day's serial: in a column, a number
DATE = "date"  # a hint: the column holds dates (no client's target: skipped for clients)


def is_data(names: Sequence[str]) -> bool:
    """Whether a header row is a client's row: it names no column the import knows, and
    some cell of it is a phone or an e-mail."""
    if any(guess(name) != Target.SKIP for name in names):
        return False
    return any(_kind(name) in (Target.PHONE, Target.EMAIL) for name in names)


def hints(rows: Sequence[Sequence[CellValue]], width: int) -> list[str]:
    """What each column holds, by most of its cells: phones, e-mails (their targets),
    dates (``DATE``); the first other column of words is the name; the rest are skipped."""
    targets: list[str] = []
    named = False
    for column in range(width):
        cells = [cell_text(row[column]) for row in rows[:SAMPLE] if column < len(row)]
        texts = [text for text in cells if text]
        kinds = [_kind(text) for text in texts]
        target: str = Target.SKIP
        for kind in (Target.PHONE, Target.EMAIL, DATE):
            if texts and kinds.count(kind) * 2 > len(texts):
                target = kind
        words = sum(any(ch.isalpha() for ch in text) and "@" not in text for text in texts)
        if target == Target.SKIP and not named and texts and words * 2 > len(texts):
            target, named = Target.NAME, True
        targets.append(str(target))
    return targets


def client_hints(hints: Iterable[str]) -> list[str]:
    """A client's targets of the columns: dates are not proposed (a birthday, the day of a
    call: which of them the client came on is not told by the cells)."""
    return [Target.SKIP.value if hint == DATE else hint for hint in hints]


def record_hints(hints: Iterable[str], fields: Iterable[tuple[int, str]]) -> list[str]:
    """A record's targets of the columns: the name, and each column of phones, e-mails or
    dates the type's next field of that type (``fields``: id and type, in card order); a
    column no such field is left for is skipped."""
    kinds = {Target.PHONE: FieldType.PHONE, Target.EMAIL: FieldType.EMAIL, DATE: FieldType.DATE}
    free = [(field_id, kind) for field_id, kind in fields]
    targets: list[str] = []
    for hint in hints:
        found = next((f for f in free if hint in kinds and f[1] == kinds[hint]), None)
        if found is not None:
            free.remove(found)
        target = f"{FIELD_PREFIX}{found[0]}" if found else Target.SKIP.value
        targets.append(Target.NAME.value if hint == Target.NAME else target)
    return targets


def _kind(text: str | None) -> str | None:
    if not text:
        return None
    if _EMAIL.fullmatch(text):
        return Target.EMAIL
    if _PHONE.fullmatch(text) and 7 <= sum(ch.isdigit() for ch in text) <= 15:
        return DATE if _a_date(text) else Target.PHONE  # 2024-01-31 is no phone
    return DATE if not _NUMBER.fullmatch(text) and _a_date(text) else None


def _a_date(text: str) -> bool:
    try:
        return cell_date(text) is not None
    except DateError:
        return False
