"""The names in one cell of a link column. Pure.

A cell names one or more cards, and a name may itself hold a comma ("ООО Ромашка,
филиал") while the export joins several names with ", ". So the cell is read
against the names the base has (``known``, of folded text):

1. the whole cell, if it names a card, is one name, whatever it holds;
2. otherwise it is cut into lines at line breaks and ";", and each line into
   pieces at commas; from each piece on, the longest run of consecutive pieces
   (up to ``MAX_RUN``, as they were written) that names a card is one name, and a
   piece that begins no such run is a name by itself (one the base does not have).

So "Иван Петров, ООО Ромашка, филиал" is two names when the base has a card
"ООО Ромашка, филиал", and three when it has not. Past the first
``MAX_RUN_PIECES`` pieces of a line each piece is a name by itself, so that a
cell of thousands of names is looked up once per piece.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from crm.parsing.cells import CellValue, cell_text
from crm.parsing.search_text import fold

MAX_RUN = 8  # pieces one name may span: a name with more commas is matched only whole
# Past this many pieces in a line, each piece is a name by itself (no runs), so that a cell
# of thousands of names asks about each once rather than eight times.
MAX_RUN_PIECES = 200
_LINES = re.compile(r"[\r\n;]+")


def link_text(value: CellValue) -> str | None:
    """A link cell's text with its line breaks kept (they separate names)."""
    if isinstance(value, str):
        return value.strip() or None
    return cell_text(value)


def candidates(cell: str) -> set[str]:
    """Every folded text of ``cell`` that ``names`` may ask about: what to look up."""
    found = {fold(cell)}
    for line, pieces in _lines(cell):
        for i in range(len(pieces)):
            for j in range(i, _last(pieces, i) + 1):
                found.add(fold(_run(line, pieces, i, j)))
    found.discard("")
    return found


def names(cell: str, known: Callable[[str], bool]) -> list[str]:
    """The names in ``cell``, in order, each once; ``known``: does a folded text name a card?"""
    whole = " ".join(cell.split())
    if not whole:
        return []
    if known(fold(whole)):
        return [whole]
    found: dict[str, str] = {}
    for line, pieces in _lines(cell):
        i = 0
        while i < len(pieces):
            j = _last(pieces, i)
            while j > i and not known(fold(_run(line, pieces, i, j))):
                j -= 1
            name = " ".join(_run(line, pieces, i, j).split())
            found.setdefault(fold(name), name)
            i = j + 1
    return list(found.values())


def _lines(cell: str) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    """Each line of the cell and its pieces' spans (commas cut them; empty ones dropped)."""
    for line in _LINES.split(cell):
        pieces, start = [], 0
        for end in [*(m.start() for m in re.finditer(",", line)), len(line)]:
            if line[start:end].strip():
                pieces.append((start, end))
            start = end + 1
        if pieces:
            yield line, pieces


def _last(pieces: list[tuple[int, int]], i: int) -> int:
    """The last piece a name starting at piece ``i`` may reach."""
    if i >= MAX_RUN_PIECES:
        return i
    return min(len(pieces), i + MAX_RUN) - 1


def _run(line: str, pieces: list[tuple[int, int]], i: int, j: int) -> str:
    return line[pieces[i][0] : pieces[j][1]].strip()
