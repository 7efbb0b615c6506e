"""The usual search on SQLite (few candidates from the text index), built once.

Building the statement cost more of the event loop than SQLite takes to run it
(~1.1 ms of CPU on the slow VM of the ninth session, for a statement SQLite
answers in a fraction of that): the ranking alone is four ``LIKE`` tests in a
``CASE``. What depends on the terms depends only on their number, so those
parts are built once per number, with bound parameters where the terms go, and
each search puts them together with who may see what (``where``) and the limit.
The same tests as ``name_rank`` and ``contains_all_like`` (``storage.search_terms``):
the values are theirs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from storage.search_terms import (
    contains_pattern,
    hidden,
    name_test_values,
    name_tests,
    newest,
    rank_by,
)

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

_NAME = "search_name_{}"
_TERM = "search_term_{}"
_IDS = "search_ids"


def usual_query(
    where: ColumnElement[bool], terms: list[str], ids: str, limit: int
) -> tuple[Select[Any], dict[str, Any]]:
    """The clients among the JSON array ``ids`` (the text index's candidates) that pass
    ``where`` and contain every term, best first (``name_rank`` of the first term, then
    the most recent activity): the statement and its parameters."""
    from sqlalchemy import select

    from storage.models import Client

    params: dict[str, Any] = {_IDS: ids}
    params.update((_NAME.format(i), value) for i, value in enumerate(name_test_values(terms[0])))
    params.update((_TERM.format(i), contains_pattern(term)) for i, term in enumerate(terms))
    among, match, order = _built(len(terms))
    # In this order: SQLite tests the conditions as written, and who may see what (and
    # active or archived) is cheaper to test than the text, and rules out more.
    query = select(Client).where(among, hidden(where), match).order_by(*order).limit(limit)
    return query, params


@lru_cache(maxsize=16)
def _built(term_count: int) -> tuple[Any, Any, tuple[Any, ...]]:
    """What depends only on the number of terms: the candidates, the match (hidden from
    the planner) and the order."""
    from sqlalchemy import and_, bindparam

    from storage.models import Client

    names: list[Any] = [bindparam(_NAME.format(i)) for i in range(5)]
    match = and_(
        *(
            Client.search_text.like(bindparam(_TERM.format(i)), escape="\\")
            for i in range(term_count)
        )
    )
    return among(bindparam(_IDS)), hidden(match), (rank_by(name_tests(*names)), *newest())


def among(ids: Any) -> ColumnElement[bool]:
    """The clients whose ids the JSON array ``ids`` lists (a value, or a bound parameter)."""
    from sqlalchemy import column, func, select

    from storage.models import Client

    return Client.id.in_(select(column("value")).select_from(func.json_each(ids)))
