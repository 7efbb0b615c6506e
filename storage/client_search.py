"""Client search queries over the indexes in ``storage.search_index``.

``ranked_clients`` answers a search. On SQLite it picks its own way through
the indexes, because SQLite's planner has no statistics to pick well with: see
``_SqliteSearch``. PostgreSQL runs ``ranked_select`` as one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.search_index import FTS_TABLE, NAME_FTS_TABLE

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Client


def _like_escape(term: str) -> str:
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
        clauses.append(Client.id.in_(_fts_ids(FTS_TABLE, _fts_phrases(long_terms))))
        terms = [term for term in terms if len(term) < 3]
    clauses.extend(
        Client.search_text.like(f"%{_like_escape(term)}%", escape="\\") for term in terms
    )
    return and_(*clauses) if clauses else true()


def _contains_all_like(terms: Sequence[str]) -> ColumnElement[bool]:
    """``contains_all`` checked row by row, with no index."""
    from sqlalchemy import and_

    from storage.models import Client

    return and_(
        *(Client.search_text.like(f"%{_like_escape(term)}%", escape="\\") for term in terms)
    )


def name_prefix(term: str) -> Any:
    """``name_folded`` starts with ``term``, as a range the index answers."""
    from sqlalchemy import and_

    from storage.models import Client

    return and_(Client.name_folded >= term, Client.name_folded < term + _LAST_CHAR)


_LAST_CHAR = "\U0010ffff"


@dataclass(frozen=True)
class _Finder:
    """An index lookup that yields a superset of some clients: ``condition`` for a
    WHERE clause, ``ids`` to count them, ``key`` to count each only once."""

    key: str
    condition: ColumnElement[bool]
    ids: Select[Any]


def _fts_ids(table: str, expression: str) -> Select[Any]:
    from sqlalchemy import literal_column, select
    from sqlalchemy import table as table_clause

    return (
        select(literal_column("rowid"))
        .select_from(table_clause(table))
        .where(literal_column(table).match(expression))
    )


def _fts_finder(table: str, terms: Sequence[str]) -> _Finder | None:
    """Clients whose ``table`` column contains every term; None if a term is too short
    for trigrams."""
    from storage.models import Client

    if not terms or any(len(term) < 3 for term in terms):
        return None
    expression = _fts_phrases(terms)
    ids = _fts_ids(table, expression)
    return _Finder(f"{table}:{expression}", Client.id.in_(ids), ids)


def _name_range_finder(low: str, high: str) -> _Finder:
    from sqlalchemy import and_, select

    from storage.models import Client

    condition = and_(Client.name_folded >= low, Client.name_folded < high)
    return _Finder(f"range:{low}:{high}", condition, select(Client.id).where(condition))


@dataclass(frozen=True)
class _Level:
    test: ColumnElement[bool]
    finder: Callable[[], _Finder | None]  # built only when needed: building costs too


def _name_levels(term: str) -> list[_Level]:
    """The levels of ``name_rank`` above "only another field matched", best first.

    A client is at the first level whose test it passes. Each level comes with an
    index that finds a superset of it (or None), for ``_SqliteSearch``; the last
    level, "contains", is a superset of all of them.
    """
    from sqlalchemy import or_

    from storage.models import Client

    escaped = _like_escape(term)
    name = Client.name_folded
    return [
        _Level(
            or_(name == term, name.like(f"{escaped} %", escape="\\")),
            lambda: _name_range_finder(term, term + " " + _LAST_CHAR),
        ),
        _Level(
            name.like(f"{escaped}%", escape="\\"),
            lambda: _name_range_finder(term, term + _LAST_CHAR),
        ),
        _Level(
            name.like(f"% {escaped}%", escape="\\"),
            lambda: _fts_finder(NAME_FTS_TABLE, [" " + term]),
        ),
        _Level(
            name.like(f"%{escaped}%", escape="\\"),
            lambda: _fts_finder(NAME_FTS_TABLE, [term]),
        ),
    ]


def name_rank(term: str) -> Any:
    """How well the name matches ``term``, best first.

    0: a whole word of the name starts the name (``ivan`` in ``ivan petrov``),
    1: the name starts with it, 2: a later word is it or starts with it,
    3: the name contains it elsewhere, 4: only another field matched.
    """
    return _rank(_name_levels(term))


def _rank(levels: list[_Level]) -> Any:
    from sqlalchemy import case

    return case(*((level.test, rank) for rank, level in enumerate(levels)), else_=len(levels))


def _newest() -> tuple[Any, ...]:
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
    ``_SqliteSearch`` must agree with."""
    from sqlalchemy import select

    from storage.models import Client

    match = name_prefix(terms[0]) if prefix_only else contains_all(dialect, terms)
    return (
        select(Client).where(*where, match).order_by(name_rank(terms[0]), *_newest()).limit(limit)
    )


async def ranked_clients(
    session: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    terms: list[str],
    limit: int,
    prefix_only: bool = False,
) -> list[Client]:
    """The clients (among ``where``) whose search text contains every folded term,
    best first: by ``name_rank`` of the first term, then the most recent activity.
    With ``prefix_only`` the name must start with the (single) term instead."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    if dialect != "sqlite":
        query = ranked_select(dialect, where, terms, limit, prefix_only)
        return list(await session.scalars(query))
    return await _SqliteSearch(session, where, terms, limit).run(prefix_only)


SORT_LIMIT = 3_000
"""Up to this many candidates from an index, fetching and sorting them all is
cheap (a microsecond or two each). Past it, walking the newest clients wins."""
WALK_WINDOW = 5_000
"""How many of the most recently active clients a walk looks through before
giving up on finding enough there."""


class _SqliteSearch:
    """``ranked_select``, answered fast on SQLite whatever the number of matches.

    SQLite has no statistics here (nobody runs ANALYZE), so left to itself it
    reads ``archived_at IS NULL`` as selective and scans every client through
    ``ix_clients_activity``; and even driven by the FTS index, sorting every
    match of a common word ("москва", a quarter of the base) costs tens of
    milliseconds. So the answer is built rank by rank, each the cheaper way:

    * few candidates by an index (up to ``SORT_LIMIT``): fetch them through that
      index and sort them; the other conditions are hidden from the planner
      with a unary ``+`` so that it cannot drive the query by them;
    * many: walk the clients newest first through ``ix_clients_activity``,
      checking each row, and stop at the number wanted. A common match is met
      within a few hundred rows. A walk that meets too few within the newest
      ``WALK_WINDOW`` clients (the matches cluster among old clients) gives up,
      and that rank is sorted after all, so the result is always exact.
    """

    def __init__(
        self,
        session: AsyncSession,
        where: Sequence[ColumnElement[bool]],
        terms: list[str],
        limit: int,
    ) -> None:
        from sqlalchemy import and_

        self._session = session
        self._where = and_(*where)
        self._terms = terms
        self._limit = limit
        self._counts: dict[str, int] = {}
        self._horizon: tuple[datetime | None] | None = None

    async def run(self, prefix_only: bool) -> list[Client]:
        term = self._terms[0]
        levels = _name_levels(term)
        rank = _rank(levels)
        found: list[int] = []
        if prefix_only:
            # A name that starts with the term is at level 0 or 1.
            for number in (0, 1):
                condition = name_prefix(term) & (rank == number)
                await self._level(found, condition, levels[number].finder())
            return await self._load(found)

        match = _contains_all_like(self._terms)
        everything = _fts_finder(FTS_TABLE, [t for t in self._terms if len(t) >= 3])
        if everything is not None and await self._count(everything) <= SORT_LIMIT:
            # The usual case, and the whole answer in one query.
            query = self._driven_by(everything, match).order_by(rank, *_newest())
            return list(await self._session.scalars(query.limit(self._limit)))

        # Many matches. The names holding the word first, then everyone else.
        in_name = levels[-1].finder() if len(term) >= 3 else await self._name_scan(term)
        if in_name is not None and await self._count(in_name) <= SORT_LIMIT:
            if await self._count(in_name):  # few: all the name levels in one query
                found += await self._sorted(in_name, match, (rank, *_newest()), self._limit)
        else:
            for number, level in enumerate(levels):
                await self._level(found, match & (rank == number), level.finder() or everything)
        await self._level(found, match & (rank == len(levels)), everything)
        return await self._load(found)

    async def _name_scan(self, term: str) -> _Finder | None:
        """The clients whose folded name contains ``term`` (too short for trigrams), by a
        scan of a covering name index: for digits the partial index of the names that
        hold one (a handful), else the whole name index (a tenth of the table's size).
        Their ids, when they are few; None (no index to help) when many."""
        from sqlalchemy import text

        from storage.models import Client
        from storage.models.clients import NAME_DIGITS_INDEX, NAME_DIGITS_SQLITE

        # Digits: only the names holding one can match, and they have their own index.
        index, only = (
            (NAME_DIGITS_INDEX, NAME_DIGITS_SQLITE + " AND ")
            if term.isascii() and term.isdigit()
            else ("ix_clients_name_folded", "")
        )
        ids = list(
            await self._session.scalars(
                text(
                    f"SELECT id FROM clients INDEXED BY {index} "
                    f"WHERE {only}name_folded LIKE :pattern ESCAPE '\\' LIMIT :limit"
                ),
                {"pattern": f"%{_like_escape(term)}%", "limit": SORT_LIMIT + 1},
            )
        )
        if len(ids) > SORT_LIMIT:
            return None
        key = f"scan:{term}"
        self._counts[key] = len(ids)
        condition = Client.id.in_(ids)
        return _Finder(key, condition, select_ids(condition))

    async def _level(
        self, found: list[int], condition: ColumnElement[bool], finder: _Finder | None
    ) -> None:
        """Add the newest clients passing ``condition`` (a superset of them from ``finder``)."""
        need = self._limit - len(found)
        if need <= 0:
            return
        if finder is not None:
            count = await self._count(finder)
            if count == 0:
                return
            if count <= SORT_LIMIT:
                found += await self._sorted(finder, condition, _newest(), need)
                return
        walked = await self._walk(condition, need)
        found += (
            walked if walked is not None else await self._sorted(finder, condition, _newest(), need)
        )

    async def _count(self, finder: _Finder) -> int:
        """How many ``finder`` yields, counting no further than ``SORT_LIMIT + 1``."""
        from sqlalchemy import func, select

        if finder.key not in self._counts:
            candidates = finder.ids.limit(SORT_LIMIT + 1).subquery()
            count = await self._session.scalar(select(func.count()).select_from(candidates))
            self._counts[finder.key] = int(count or 0)
        return self._counts[finder.key]

    async def _sorted(
        self,
        finder: _Finder | None,
        condition: ColumnElement[bool],
        order: tuple[Any, ...],
        limit: int,
    ) -> list[int]:
        from sqlalchemy import select

        from storage.models import Client

        if finder is None:  # no index: scan in activity order (stops early if it can)
            query = select(Client.id).where(self._where, condition)
        else:
            query = self._driven_by(finder, condition).with_only_columns(Client.id)
        return list(await self._session.scalars(query.order_by(*order).limit(limit)))

    def _driven_by(self, finder: _Finder, condition: ColumnElement[bool]) -> Select[Client]:
        """The clients ``finder`` yields that pass ``condition``, read through its index."""
        from sqlalchemy import select

        from storage.models import Client

        return select(Client).where(finder.condition, _hidden(self._where), _hidden(condition))

    async def _load(self, ids: list[int]) -> list[Client]:
        from sqlalchemy import select

        from storage.models import Client

        if not ids:
            return []
        rows = await self._session.scalars(select(Client).where(Client.id.in_(ids)))
        by_id = {client.id: client for client in rows}
        return [by_id[client_id] for client_id in ids]

    async def _walk(self, condition: ColumnElement[bool], need: int) -> list[int] | None:
        """The newest ``need`` clients passing ``condition``, or None when the newest
        ``WALK_WINDOW`` clients hold fewer (and there are older ones)."""
        from sqlalchemy import select

        from storage.models import Client

        horizon = await self._walk_horizon()
        query = select(Client.id).where(self._where, _hidden(condition))
        if horizon is not None:
            query = query.where(Client.last_activity_at >= horizon)
        ids = list(await self._session.scalars(query.order_by(*_newest()).limit(need)))
        return ids if len(ids) == need or horizon is None else None

    async def _walk_horizon(self) -> datetime | None:
        """The last activity of the ``WALK_WINDOW``-th most recent client (None: fewer)."""
        from sqlalchemy import select

        from storage.models import Client

        if self._horizon is None:
            moment = await self._session.scalar(
                select(Client.last_activity_at)
                .where(Client.archived_at.is_(None))
                .order_by(Client.last_activity_at.desc())
                .offset(WALK_WINDOW - 1)
                .limit(1)
            )
            self._horizon = (moment,)
        return self._horizon[0]


def select_ids(condition: ColumnElement[bool]) -> Select[Any]:
    from sqlalchemy import select

    from storage.models import Client

    return select(Client.id).where(condition)


def _hidden(condition: ColumnElement[bool]) -> ColumnElement[bool]:
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
    return _hidden(condition) if dialect == "sqlite" else condition
