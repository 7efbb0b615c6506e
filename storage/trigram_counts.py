"""How many clients each trigram of the text index is found in, read once per process.

A search of several words asks the text index for a sample first
(``storage.search_terms.fts_sample``): one trigram of each word, as separate
tokens. What that costs is the length of those trigrams' row lists, and they
differ by tens of times (``ова`` is in most names, ``ёмо`` in a few hundred):
with each word's rarest trigram, a full name's sample took ~0.13 ms against
~0.42 ms for the fixed rule (first trigram and the one three letters on), at
100,000 clients, and matched as few rows.

The counts come from FTS5's own vocabulary (``fts5vocab``, a view of the index
made for the read and dropped after), read by ``load`` at startup
(``bot.startup.prepare_database``): ~0.2 s at 100,000 clients, in aiosqlite's
thread. They are not kept up to date: a count grown stale since only makes a
sample slower, never its answer different (any trigram of a word is in every
row that holds the word), and a restart reads them again. Without them (not
loaded, or PostgreSQL) the fixed rule applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast
from weakref import WeakKeyDictionary

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.search_index import FTS_TABLE

_VOCABULARY = f"temp.{FTS_TABLE}_vocabulary"
_COUNTS: WeakKeyDictionary[Engine, Mapping[str, int]] = WeakKeyDictionary()


async def load(engine: AsyncEngine) -> None:
    """Read the counts of ``engine``'s text index (SQLite; elsewhere nothing to read)."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as conn:
        await conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {_VOCABULARY} "
            f"USING fts5vocab(main, '{FTS_TABLE}', 'row')"
        )
        try:
            rows = await conn.execute(text(f"SELECT term, doc FROM {_VOCABULARY}"))
            pairs = cast("list[tuple[str, int]]", rows.all())
            counts = {str(term): int(doc) for term, doc in pairs}
        finally:
            await conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_VOCABULARY}")
            await conn.commit()
    if counts:
        _COUNTS[engine.sync_engine] = counts
    else:  # an empty index tells nothing: the fixed rule, until the next start
        _COUNTS.pop(engine.sync_engine, None)


def counts_of(bind: object) -> Mapping[str, int] | None:
    """The counts ``load`` read for ``bind``, a session's engine (None: none read)."""
    return _COUNTS.get(bind) if isinstance(bind, Engine) else None
