"""Finding a table's header among its first rows. Pure.

The header is the first filled row, but for a title above it: a row of one cell
('Клиенты на 01.05.2024', merged over the table or not) over a row that names at least
two columns as the import knows them ('ФИО', 'Телефон 2'). Merged header cells are
spread over the columns they cover; a second header row under merged group titles is
used where it names their columns in words (and holds nothing under the columns named on
their own). A header cell merged over columns whose cells are single words ('ФИО' over
'Петров', 'Иван', 'Иванович') is told as ``joined``: one thing written in parts, which
``name_in_parts`` makes a name's parts when the header names the name (its first three
columns: a name has no more parts; the others are left skipped). Every header cell merged
over columns is told as ``merged``, for the mapping screen to say which of its columns
go nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crm.exports.files import unescaped
from crm.imports.mapping import NAME_PARTS, Target, guess
from crm.parsing.cells import CellValue, cell_text

Merge = tuple[tuple[int, int], tuple[int, int]]  # (first row, column), (last row, column)


@dataclass
class Header:
    names: list[str]
    skip: int  # the rows of the head it takes: a title, the header, its second row
    joined: list[tuple[int, int]] = field(default_factory=list)  # first, last column
    title: str = ""  # the title row above the header, when there is one
    merged: list[tuple[int, int]] = field(default_factory=list)  # first, last column


def find_header(head: list[list[CellValue]], merged: list[Merge]) -> Header | None:
    """The header of a table whose first rows are ``head``; None when none is filled."""
    at = next((i for i, row in enumerate(head) if any(filled(v) for v in row)), None)
    if at is None:
        return None
    title = ""
    if _is_title(head, at):
        title = " ".join(cell_text(v) or "" for v in head[at] if filled(v))
        at += 1
    names = [unescaped(cell_text(v) or "") for v in head[at]]  # our CSV's "'=…"
    skip = at + 1
    spans = [m for m in merged if m[0][0] == at]
    for (_r0, c0), (_r1, c1) in spans:
        for column in range(c0 + 1, min(c1 + 1, len(names))):
            names[column] = names[column] or names[c0]
    grouped = [(c0, c1) for (_r, c0), (_r1, c1) in spans if c1 > c0]
    if spans and at + 1 < len(head):
        under = [cell_text(v) or "" for v in head[at + 1]]
        columns = {c for c0, c1 in grouped for c in range(c0, c1 + 1)}
        below = (v for row in head[at + 2 :] for v in row)  # the one client if none
        if _names_the_groups(under, names, columns) and any(filled(v) for v in below):
            for column, name in enumerate(under[: len(names)]):
                names[column] = name or names[column]
            return Header(names, skip + 1, title=title)
    joined = [(c0, c1) for c0, c1 in grouped if _in_parts(head[skip:], c0, c1)]
    return Header(names, skip, joined, title, grouped)


def name_in_parts(mapping: list[str], joined: Sequence[Sequence[int]]) -> list[str]:
    """The mapping with each name header merged over columns of words ('ФИО' over
    'Петров', 'Иван', 'Иванович') going to the name's parts, in their order (the name is
    made of them joined as written); before, the name was the first part alone, and the
    other columns were skipped. Over more than three columns, the first three are the
    parts and the rest stay skipped (the mapping screen tells them). Left as it is where
    a part already has a column."""
    mapping = list(mapping)
    for c0, c1 in joined:
        rest = mapping[c0 + 1 : c1 + 1]
        if c1 >= len(mapping) or mapping[c0] != Target.NAME or set(rest) != {Target.SKIP}:
            continue
        if not set(NAME_PARTS) & set(mapping):
            parts = [part.value for part in NAME_PARTS[: c1 - c0 + 1]]
            mapping[c0 : c0 + len(parts)] = parts
    return mapping


def _is_title(head: list[list[CellValue]], at: int) -> bool:
    """Whether the row is a title over the header: one filled cell, then a row naming two
    columns or more as the import knows them, then something under it."""
    if at + 2 >= len(head) or sum(filled(v) for v in head[at]) != 1:
        return False
    known = sum(guess(cell_text(v) or "") != Target.SKIP for v in head[at + 1])
    return known >= 2 and any(filled(v) for row in head[at + 2 :] for v in row)


def _in_parts(rows: list[list[CellValue]], c0: int, c1: int) -> bool:
    """Whether columns c0..c1 (two or more) hold one thing in parts: every cell one word
    of letters, and some row with two of them or more."""
    if c1 <= c0:
        return False
    parts = [[v for v in row[c0 : c1 + 1] if filled(v)] for row in rows]
    if not any(len(cells) >= 2 for cells in parts):
        return False
    return all(_a_word(v) for cells in parts for v in cells)


def _a_word(value: CellValue) -> bool:
    """One word of letters ('Иванович', 'Петров-Водкин'), not 'ООО Ромашка' or a phone."""
    if not isinstance(value, str) or len(value.split()) != 1:
        return False
    return any(ch.isalpha() for ch in value) and not any(ch.isdigit() or ch == "@" for ch in value)


def _names_the_groups(under: list[str], headers: list[str], grouped: set[int]) -> bool:
    """Whether the row under merged group titles is a second header row ('Контакт' over
    'Телефон', 'Почта'; maybe 'Сумма' under a one-column 'Сделка') rather than the first
    client: it names the grouped columns in words, and no cell of it holds what a
    client's row does, a digit (a phone, a sum, a date) or an '@'."""
    below = under + [""] * (len(headers) - len(under))
    names = [below[c] for c in grouped if c < len(below) and below[c]]
    if not names or not all(any(ch.isalpha() for ch in name) for name in names):
        return False
    return not any(any(ch.isdigit() or ch == "@" for ch in cell) for cell in below)


def filled(value: CellValue) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))
