"""Client search queries over the indexes in ``storage.search_index``.

``ranked_clients`` answers a search. On SQLite it picks its own way through
the indexes, because SQLite's planner has no statistics to pick well with: see
``SqliteSearch`` (storage.client_search_sqlite). PostgreSQL runs ``ranked_select`` as one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Client
from storage.client_search_sqlite import Candidates, SqliteSearch
from storage.search_terms import (
    contains_all,
    name_prefix,
    name_rank,
    ranked_select,
    select_ids,
    unindexed,
)

__all__ = [
    "Candidates",
    "contains_all",
    "name_prefix",
    "name_rank",
    "ranked_clients",
    "ranked_select",
    "select_ids",
    "unindexed",
]


async def ranked_clients(
    session: AsyncSession,
    where: Sequence[ColumnElement[bool]],
    terms: list[str],
    limit: int,
    prefix_only: bool = False,
    candidates: Candidates | None = None,
) -> list[Client]:
    """The clients (among ``where``) whose search text contains every folded term,
    best first: by ``name_rank`` of the first term, then the most recent activity.
    With ``prefix_only`` the name must start with the (single) term instead.

    ``candidates``: on SQLite, what each index gave for these terms, whatever
    ``where`` is; a second search for the same terms in the same transaction (the
    archive's, after the active clients') passes the first one's, and an index that
    gave few candidates is not read again (see ``Candidates``)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    if dialect != "sqlite":
        query = ranked_select(dialect, where, terms, limit, prefix_only)
        return list(await session.scalars(query))
    return await SqliteSearch(session, where, terms, limit, candidates).run(prefix_only)
