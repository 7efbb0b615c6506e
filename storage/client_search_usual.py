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
    fts_ids,
    hidden,
    name_test_values,
    name_tests,
    newest,
    rank_by,
)

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.sql.selectable import TextualSelect

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


def counted(ids: Select[Any] | TextualSelect) -> Select[Any]:
    """How many rows ``ids`` yields, and their ids as a JSON array."""
    from sqlalchemy import func, select

    candidates = ids.subquery()
    return select(func.count(), func.json_group_array(candidates.c[0]))


def fts_count(table: str, expression: str, limit: int) -> tuple[Select[Any], dict[str, Any]]:
    """``counted`` for the rows of ``table`` (an FTS5 table) matching ``expression``,
    no further than ``limit``: the statement, built once per table, and its parameters."""
    return _fts_counted(table), {"fts_match": expression, "fts_limit": limit}


@lru_cache(maxsize=4)
def _fts_counted(table: str) -> Select[Any]:
    from sqlalchemy import Integer, String, bindparam

    ids = fts_ids(table, bindparam("fts_match", type_=String))
    return counted(ids.limit(bindparam("fts_limit", type_=Integer)))
