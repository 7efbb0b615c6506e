"""The full-text side of client search, which SQLAlchemy's metadata does not describe.

SQLite gets two FTS5 tables with the trigram tokenizer (substring matches of
three or more characters from an index), kept in step with ``clients`` by
triggers: one over ``search_text`` (what a search matches) and, since migration
0003, one over ``name_folded`` (how the matches are ranked). PostgreSQL gets a
``pg_trgm`` GIN index on ``search_text``, which ``LIKE '%…%'`` uses.

The queries that use them are in ``storage.client_search``.
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "clients_fts"
NAME_FTS_TABLE = "clients_name_fts"
PG_TRGM_INDEX = "ix_clients_search_trgm"

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "search_text, content='clients', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON clients BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON clients BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF search_text ON clients BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
)
SQLITE_DROP = (
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
SQLITE_NAME_CREATE = (
    f"CREATE VIRTUAL TABLE {NAME_FTS_TABLE} USING fts5("
    "name_folded, content='clients', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER {NAME_FTS_TABLE}_ai AFTER INSERT ON clients BEGIN "
    f"INSERT INTO {NAME_FTS_TABLE}(rowid, name_folded) VALUES (new.id, new.name_folded); END",
    f"CREATE TRIGGER {NAME_FTS_TABLE}_ad AFTER DELETE ON clients BEGIN "
    f"INSERT INTO {NAME_FTS_TABLE}({NAME_FTS_TABLE}, rowid, name_folded) "
    "VALUES ('delete', old.id, old.name_folded); END",
    f"CREATE TRIGGER {NAME_FTS_TABLE}_au AFTER UPDATE OF name_folded ON clients BEGIN "
    f"INSERT INTO {NAME_FTS_TABLE}({NAME_FTS_TABLE}, rowid, name_folded) "
    "VALUES ('delete', old.id, old.name_folded); "
    f"INSERT INTO {NAME_FTS_TABLE}(rowid, name_folded) VALUES (new.id, new.name_folded); END",
    f"INSERT INTO {NAME_FTS_TABLE}({NAME_FTS_TABLE}) VALUES ('rebuild')",
)
SQLITE_NAME_DROP = (
    f"DROP TRIGGER IF EXISTS {NAME_FTS_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {NAME_FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {NAME_FTS_TABLE}_ai",
    f"DROP TABLE IF EXISTS {NAME_FTS_TABLE}",
)
POSTGRES_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {PG_TRGM_INDEX} ON clients USING gin (search_text gin_trgm_ops)",
)
POSTGRES_DROP = (f"DROP INDEX IF EXISTS {PG_TRGM_INDEX}",)


def create_statements(dialect: str) -> tuple[str, ...]:
    """The index as migration 0002 made it."""
    return SQLITE_CREATE if dialect == "sqlite" else POSTGRES_CREATE


def drop_statements(dialect: str) -> tuple[str, ...]:
    return SQLITE_DROP if dialect == "sqlite" else POSTGRES_DROP


def name_index_create_statements(dialect: str) -> tuple[str, ...]:
    """Migration 0003: the names' own trigram index (SQLite; PostgreSQL ranks without one)."""
    return SQLITE_NAME_CREATE if dialect == "sqlite" else ()


def name_index_drop_statements(dialect: str) -> tuple[str, ...]:
    return SQLITE_NAME_DROP if dialect == "sqlite" else ()


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For Alembic's comparisons: the search index objects are ours, not the models'."""
    return not (name or "").startswith((FTS_TABLE, NAME_FTS_TABLE, PG_TRGM_INDEX))
