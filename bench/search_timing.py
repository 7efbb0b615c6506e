"""Timing searches: the per-query timings, the naive full scan to compare with, and the check
against the one-query ranking.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import log
from crm.client_index import query_terms
from crm.service import Crm, CrmFactory
from crm.visibility import visible_clients
from storage.client_search import ranked_select
from storage.models import (
    Client,
    User,
)


@dataclass
class Timings:
    values: list[float] = field(default_factory=list)
    empty: int = 0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.values)
        if not ordered:
            return math.nan
        return round(ordered[max(math.ceil(q * len(ordered)) - 1, 0)], 2)


NAIVE_SQL = """
SELECT c.id FROM clients AS c
WHERE c.archived_at IS NULL AND {match}
ORDER BY c.last_activity_at DESC, c.id DESC
LIMIT ?
"""


NAIVE_HAYSTACK = (
    "fold_py(c.name || ' ' || coalesce(c.company, '') || ' ' || coalesce(c.city, '') || ' ' "
    "|| coalesce((SELECT group_concat(e.email, ' ') FROM client_emails AS e "
    "WHERE e.client_id = c.id), '') || ' ' "
    "|| coalesce((SELECT group_concat(t.tag, ' ') FROM client_tags AS t "
    "WHERE t.client_id = c.id), '') || ' ' "
    "|| coalesce((SELECT group_concat(p.digits, ' ') FROM client_phones AS p "
    "WHERE p.client_id = c.id), ''))"
)


def naive_search(db: sqlite3.Connection, text: str, limit: int = 10) -> list[int]:
    """The same question as ``ClientQueries.search``, answered by folding every row."""
    terms = query_terms(text)
    escaped = [t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for t in terms]
    if len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit():
        match = "fold_py(c.name) LIKE ? ESCAPE '\\'"
        params: list[Any] = [escaped[0] + "%"]
    else:
        match = " AND ".join(f"{NAIVE_HAYSTACK} LIKE ? ESCAPE '\\'" for _ in terms)
        params = [f"%{t}%" for t in escaped]
    rows = db.execute(NAIVE_SQL.format(match=match), [*params, limit]).fetchall()
    return [row[0] for row in rows]


async def timed_each(
    factory: CrmFactory,
    items: Sequence[Any],
    call: Callable[[Crm, Any], Awaitable[Sequence[Any] | Any]],
) -> Timings:
    timings = Timings()
    for item in items:
        async with factory.open() as crm:
            started = time.perf_counter()
            result = await call(crm, item)
            timings.values.append((time.perf_counter() - started) * 1000)
        if isinstance(result, Sequence) and not result:
            timings.empty += 1
    return timings


async def check(
    factory: CrmFactory,
    sessions: async_sessionmaker[AsyncSession],
    actors: Sequence[User],
    texts: Sequence[str],
) -> int:
    """Compare every search with ``client_search.ranked_select`` (the whole ranking as one
    query, what PostgreSQL runs); returns how many differ."""
    mismatches = 0
    for actor in actors:
        log(f"checking {len(texts)} searches as {actor.role}")
        for text in texts:
            async with factory.open() as crm:
                found = [c.id for c in await crm.client_queries.search(actor, text)]
                see_all = await crm.settings.managers_see_all()
            terms = query_terms(text)
            prefix_only = len(terms) == 1 and len(terms[0]) < 3 and not terms[0].isdigit()
            where = [visible_clients(actor, see_all), Client.archived_at.is_(None)]
            async with sessions() as session:
                expected = list(
                    await session.scalars(
                        ranked_select("sqlite", where, terms, 10, prefix_only).with_only_columns(
                            Client.id
                        )
                    )
                )
            if found != expected:
                mismatches += 1
                log(f"  MISMATCH {actor.role} {text!r}: {found} != {expected}")
    return mismatches
