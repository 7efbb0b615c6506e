"""Client search on SQLite, which picks its own way through the indexes (no planner statistics)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage import trigram_counts
from storage.client_search_usual import among, counted, fts_count, usual_query
from storage.search_index import FTS_TABLE
from storage.search_terms import (
    Finder,
    contains_all_like,
    contains_pattern,
    fts_finder,
    hidden,
    name_levels,
    name_prefix,
    newest,
    rank_of,
    select_ids,
)

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Client


SORT_LIMIT = 3_000
"""Up to this many candidates from an index, fetching and sorting them all is
cheap (a microsecond or two each). Past it, walking the newest clients wins."""
LIMIT = SORT_LIMIT + 1
"""How far an index's candidates are counted."""
SAMPLE_LIMIT = 64
"""Up to this many candidates from the text index's sample (``fts_sample``), testing
the rows it adds costs less than the exact lookup (~5 µs a row against ~1 ms)."""
WALK_WINDOW = 5_000
"""How many of the most recently active clients a walk looks through before
giving up on finding enough there."""


@dataclass
class Candidates:
    """What each index gave for a search's terms (``Finder.key``): how many clients,
    counting no further than ``LIMIT``, and for those that gave no more than
    ``SORT_LIMIT``, their ids as a JSON array (for the text index, those of its sample
    when it gave few: a superset, see ``SqliteSearch._count``). They do not depend on
    what else the search asks (who searches, active or archived), so a second search
    for the same terms in the same transaction (the archive's, after the active
    clients') shares them: an index that gave few is not read again, and the queries
    that sort its candidates read them from the array instead of running its lookup
    once more.
    Only within one transaction (one session): the ids are a snapshot."""

    counts: dict[str, int] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    taken: frozenset[int] | None = None
    """Unlike the rest, from what a search found: when it found every candidate of the
    index that answered it, their ids. (One ``Candidates`` serves one text's searches.)"""

    def none_left(self, found: Sequence[int]) -> bool:
        """Whether ``found`` holds every candidate of the index that answered the search:
        then a search for the same terms among other clients (the archive, after the
        active ones) can find no one, and need not run."""
        return self.taken is not None and self.taken <= set(found)


class SqliteSearch:
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
        candidates: Candidates | None = None,
    ) -> None:
        from sqlalchemy import and_

        self._session = session
        self._where = and_(*where)
        self._terms = terms
        self._limit = limit
        self._candidates = Candidates() if candidates is None else candidates
        self._horizon: tuple[datetime | None] | None = None

    async def run(self, prefix_only: bool) -> list[Client]:
        term = self._terms[0]
        found: list[int] = []
        counts = trigram_counts.counts_of(self._session.sync_session.get_bind())
        everything = fts_finder(FTS_TABLE, [t for t in self._terms if len(t) >= 3], counts)
        if (
            not prefix_only
            and everything is not None
            and await self._count(everything) <= SORT_LIMIT
        ):
            # The usual case, and the whole answer in one query, built once.
            ids = self._candidates.ids[everything.key]  # kept: no more than SORT_LIMIT
            query, params = usual_query(self._where, self._terms, ids, self._limit)
            clients: list[Client] = list(await self._session.scalars(query, params))
            if len(clients) == self._candidates.counts[everything.key]:
                self._candidates.taken = frozenset(client.id for client in clients)
            return clients

        levels = name_levels(term)
        rank = rank_of(levels)
        if prefix_only:
            # A name that starts with the term is at level 0 or 1.
            for number in (0, 1):
                condition = name_prefix(term) & (rank == number)
                await self._level(found, condition, levels[number].finder())
            return await self._load(found)

        match = contains_all_like(self._terms)
        # Many matches. The names holding the word first, then everyone else.
        in_name = levels[-1].finder() if len(term) >= 3 else await self._name_scan(term)
        if in_name is not None and await self._count(in_name) <= SORT_LIMIT:
            if await self._count(in_name):  # few: all the name levels in one query
                # A finder may give a superset (``Finder``): only names at a level.
                named = match & (rank < len(levels))
                found += await self._sorted(in_name, named, (rank, *newest()), self._limit)
        else:
            for number, level in enumerate(levels):
                await self._level(found, match & (rank == number), level.finder() or everything)
        await self._level(found, match & (rank == len(levels)), everything)
        return await self._load(found)

    async def _name_scan(self, term: str) -> Finder | None:
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
        key = f"scan:{term}"
        if key not in self._candidates.counts:
            scan = text(
                f"SELECT id FROM clients INDEXED BY {index} "
                f"WHERE {only}name_folded LIKE :pattern ESCAPE '\\' LIMIT :limit"
            ).columns(Client.id)
            params = {"pattern": contains_pattern(term), "limit": LIMIT}
            await self._remember(key, counted(scan), params)
        ids = self._candidates.ids.get(key)
        if ids is None:
            return None
        condition = among(ids)
        return Finder(key, lambda: (condition, select_ids(condition)))

    async def _level(
        self, found: list[int], condition: ColumnElement[bool], finder: Finder | None
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
                found += await self._sorted(finder, condition, newest(), need)
                return
        walked = await self._walk(condition, need)
        found += (
            walked if walked is not None else await self._sorted(finder, condition, newest(), need)
        )

    async def _count(self, finder: Finder) -> int:
        """How many ``finder`` yields, counting no further than ``LIMIT``; when no more
        than ``SORT_LIMIT``, their ids are kept too (``Candidates``)."""
        if finder.key not in self._candidates.counts:
            if finder.fts is not None:  # the text index: a statement built once
                # Its sample first: cheaper, and when it gives a few its candidates serve
                # as well, the conditions each query adds to a finder dropping the rows it
                # adds. When more, the exact lookup, whose candidates may be far fewer.
                lookup = finder.fts
                await self._remember(finder.key, *fts_count(lookup.table, lookup.sample, LIMIT))
                sampled = self._candidates.counts[finder.key]
                if sampled > SAMPLE_LIMIT and lookup.sample != lookup.exact:
                    await self._remember(finder.key, *fts_count(lookup.table, lookup.exact, LIMIT))
            else:
                await self._remember(finder.key, counted(finder.ids.limit(LIMIT)), {})
        return self._candidates.counts[finder.key]

    async def _remember(self, key: str, query: Select[Any], params: dict[str, Any]) -> None:
        """Count what ``query`` (``counted``) counts and keep the ids when they are few.
        (When they are many the array is built and dropped: ~0.1 ms on 3,001 ids,
        against a second run of the lookup, ~1 ms for a long name, saved when they are
        few.)"""
        count, array = (await self._session.execute(query, params)).one()
        self._candidates.counts[key] = int(count or 0)
        if count <= SORT_LIMIT:
            self._candidates.ids[key] = str(array)

    def _lookup(self, finder: Finder) -> ColumnElement[bool]:
        """``finder``'s condition: its ids kept by ``_count`` when it has them, else its
        index's lookup."""
        ids = self._candidates.ids.get(finder.key)
        return finder.condition if ids is None else among(ids)

    async def _sorted(
        self,
        finder: Finder | None,
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

    def _driven_by(self, finder: Finder, condition: ColumnElement[bool]) -> Select[Client]:
        """The clients ``finder`` yields that pass ``condition``, read through its index."""
        from sqlalchemy import select

        from storage.models import Client

        return select(Client).where(self._lookup(finder), hidden(self._where), hidden(condition))

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
        query = select(Client.id).where(self._where, hidden(condition))
        if horizon is not None:
            query = query.where(Client.last_activity_at >= horizon)
        ids = list(await self._session.scalars(query.order_by(*newest()).limit(need)))
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
