"""The pieces every client search is made of: terms, index finders, ranking, helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from storage.search_index import FTS_TABLE, NAME_FTS_TABLE

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

    from storage.models import Client


def like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrases(terms: Sequence[str]) -> str:
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def contains_all(dialect: str, terms: list[str]) -> Any:
    """A WHERE clause: ``clients.search_text`` contains every (folded) term.

    Terms of three characters or more come from the index (FTS5 trigram on
    SQLite, pg_trgm on PostgreSQL); shorter ones are checked on what is left.
    """
    from sqlalchemy import and_, true

    from storage.models import Client

    clauses = []
    long_terms = [term for term in terms if len(term) >= 3]
    if dialect == "sqlite" and long_terms:
        clauses.append(Client.id.in_(fts_ids(FTS_TABLE, _fts_phrases(long_terms))))
        terms = [term for term in terms if len(term) < 3]
    clauses.extend(Client.search_text.like(contains_pattern(term), escape="\\") for term in terms)
    return and_(*clauses) if clauses else true()


def contains_all_like(terms: Sequence[str]) -> ColumnElement[bool]:
    """``contains_all`` checked row by row, with no index."""
    from sqlalchemy import and_

    from storage.models import Client

    return and_(*(Client.search_text.like(contains_pattern(term), escape="\\") for term in terms))


def contains_pattern(term: str) -> str:
    """The ``LIKE`` pattern of a text that contains ``term``."""
    return f"%{like_escape(term)}%"


def name_prefix(term: str) -> Any:
    """``name_folded`` starts with ``term``, as a range the index answers."""
    from sqlalchemy import and_

    from storage.models import Client

    return and_(Client.name_folded >= term, Client.name_folded < term + _LAST_CHAR)


_LAST_CHAR = "\U0010ffff"


@dataclass(frozen=True)
class FtsLookup:
    """A text index's lookup: its table, the exact ``MATCH`` expression, and a cheaper
    one matching a superset (``fts_sample``)."""

    table: str
    exact: str
    sample: str


@dataclass(frozen=True)
class Finder:
    """An index lookup that yields a superset of some clients: ``condition`` for a
    WHERE clause, ``ids`` to count them, ``key`` to count each only once. ``build``
    makes them when first asked for; the text index's lookups (``fts_finder``) build
    nothing until then: the usual search only counts their candidates, by a statement
    built once (``fts``; see ``storage.client_search_usual.fts_count``)."""

    key: str
    build: Callable[[], tuple[ColumnElement[bool], Select[Any]]] = field(compare=False)
    fts: FtsLookup | None = None

    @cached_property
    def _built(self) -> tuple[ColumnElement[bool], Select[Any]]:
        return self.build()

    @property
    def condition(self) -> ColumnElement[bool]:
        return self._built[0]

    @property
    def ids(self) -> Select[Any]:
        return self._built[1]


def fts_ids(table: str, expression: Any) -> Select[Any]:
    """The rowids of ``table`` (an FTS5 table) matching ``expression`` (a value or a
    bound parameter)."""
    from sqlalchemy import literal_column, select
    from sqlalchemy import table as table_clause

    return (
        select(literal_column("rowid"))
        .select_from(table_clause(table))
        .where(literal_column(table).match(expression))
    )


def fts_sample(terms: Sequence[str], counts: Mapping[str, int] | None = None) -> str:
    """An FTS5 trigram expression matching a superset of the rows that contain every term
    (each of three characters or more): trigrams of each term as separate tokens rather
    than the whole term as a phrase. With ``counts`` (how many rows hold each trigram,
    ``storage.trigram_counts``), each term's rarest trigram; without, its first trigram
    and the one three characters on (the last one when the term is shorter than six).

    A phrase loads the row list of each of its trigrams and checks their positions:
    ~1.6 ms (up to 3 ms) for a full name at 100k clients, against ~0.4 ms for the
    fixed sample and ~0.13 ms for the rarest trigrams, which found at most three rows
    where the phrase found one (measured on the ``bench.clients`` base). A word's first
    letters tell words apart better than its ending (``-ович``, ``-овна``). One word's
    sample can hold many more rows than its phrase (``виктор`` for ``викторович``;
    1,365 names for ``екатеринбург``, which no name holds), each to be read and
    tested: ``fts_finder`` samples two words or more, and ``Finder.fts`` keeps both
    expressions."""
    tokens: list[str] = []
    for term in terms:
        if counts is not None:
            trigrams = [term[i : i + 3] for i in range(len(term) - 2)]
            tokens.append(min(trigrams, key=lambda trigram: counts.get(trigram, 0)))
            continue
        second = term[3:6] if len(term) >= 6 else term[-3:]
        tokens += (term[:3], second)
    tokens = list(dict.fromkeys(tokens))  # in order, once (a three-letter term, a repeat)
    return " AND ".join('"' + token.replace('"', '""') + '"' for token in tokens)


def fts_finder(
    table: str, terms: Sequence[str], counts: Mapping[str, int] | None = None
) -> Finder | None:
    """Clients whose ``table`` column contains every term; None if a term is too short
    for trigrams. For two terms or more, its ``fts`` has the cheaper superset too
    (``fts_sample``, by ``counts`` when given)."""
    if not terms or any(len(term) < 3 for term in terms):
        return None
    expression = _fts_phrases(terms)

    def build() -> tuple[ColumnElement[bool], Select[Any]]:
        from storage.models import Client

        ids = fts_ids(table, expression)
        return Client.id.in_(ids), ids

    sample = fts_sample(terms, counts) if len(terms) > 1 else expression
    return Finder(f"{table}:{expression}", build, FtsLookup(table, expression, sample))


def _name_range_finder(low: str, high: str) -> Finder:
    from sqlalchemy import and_, select

    from storage.models import Client

    condition = and_(Client.name_folded >= low, Client.name_folded < high)
    return Finder(f"range:{low}:{high}", lambda: (condition, select(Client.id).where(condition)))


@dataclass(frozen=True)
class _Level:
    test: ColumnElement[bool]
    finder: Callable[[], Finder | None]  # built only when needed: building costs too


def name_levels(term: str) -> list[_Level]:
    """The levels of ``name_rank`` above "only another field matched", best first.

    A client is at the first level whose test it passes. Each level comes with an
    index that finds a superset of it (or None), for ``SqliteSearch``
    (storage.client_search_sqlite); the last level, "contains", is a superset of all of them.
    """
    tests = name_tests(*name_test_values(term))
    finders: list[Callable[[], Finder | None]] = [
        lambda: _name_range_finder(term, term + " " + _LAST_CHAR),
        lambda: _name_range_finder(term, term + _LAST_CHAR),
        lambda: fts_finder(NAME_FTS_TABLE, [" " + term]),
        lambda: fts_finder(NAME_FTS_TABLE, [term]),
    ]
    return [_Level(test, finder) for test, finder in zip(tests, finders, strict=True)]


def name_test_values(term: str) -> tuple[str, str, str, str, str]:
    """What ``name_tests`` compares the name with, for ``term``."""
    escaped = like_escape(term)
    return term, f"{escaped} %", f"{escaped}%", f"% {escaped}%", f"%{escaped}%"


def name_tests(equal: Any, word: Any, start: Any, later: Any, anywhere: Any) -> list[Any]:
    """The tests of the levels of ``name_rank``, best first, on ``name_test_values`` (or
    bound parameters standing for them: see ``storage.client_search_usual``)."""
    from sqlalchemy import or_

    from storage.models import Client

    name = Client.name_folded
    return [
        or_(name == equal, name.like(word, escape="\\")),
        name.like(start, escape="\\"),
        name.like(later, escape="\\"),
        name.like(anywhere, escape="\\"),
    ]


def name_rank(term: str) -> Any:
    """How well the name matches ``term``, best first.

    0: a whole word of the name starts the name (``ivan`` in ``ivan petrov``),
    1: the name starts with it, 2: a later word is it or starts with it,
    3: the name contains it elsewhere, 4: only another field matched.
    """
    return rank_of(name_levels(term))


def rank_of(levels: list[_Level]) -> Any:
    return rank_by([level.test for level in levels])


def rank_by(tests: list[Any]) -> Any:
    """The number of the first test passed (``len(tests)``: none)."""
    from sqlalchemy import case

    return case(*((test, rank) for rank, test in enumerate(tests)), else_=len(tests))


def newest() -> tuple[Any, ...]:
    from storage.models import Client

    return (Client.last_activity_at.desc(), Client.id.desc())


def ranked_select(
    dialect: str,
    where: Sequence[ColumnElement[bool]],
    terms: list[str],
    limit: int,
    prefix_only: bool = False,
) -> Select[Client]:
    """The search as one query: every match, ranked (``name_rank``, then the most
    recent activity). PostgreSQL runs this; on SQLite it is the reference
    ``SqliteSearch`` (storage.client_search_sqlite) must agree with."""
    from sqlalchemy import select

    from storage.models import Client

    match = name_prefix(terms[0]) if prefix_only else contains_all(dialect, terms)
    return select(Client).where(*where, match).order_by(name_rank(terms[0]), *newest()).limit(limit)


def select_ids(condition: ColumnElement[bool]) -> Select[Any]:
    from sqlalchemy import select

    from storage.models import Client

    return select(Client.id).where(condition)


def hidden(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``+(condition)``: the same test, which SQLite's planner may not answer from an index."""
    from sqlalchemy import Boolean
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.elements import UnaryExpression

    return UnaryExpression(
        condition.self_group(), operator=operators.custom_op("+"), type_=Boolean()
    )


def unindexed(condition: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    """``condition``, kept from steering SQLite's planner (which has no statistics).

    SQLite otherwise takes a test like ``archived_at IS NULL`` as selective and
    walks every client through its index; PostgreSQL plans from statistics and
    gets the condition as it is.
    """
    return hidden(condition) if dialect == "sqlite" else condition
