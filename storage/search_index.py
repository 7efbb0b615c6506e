"""The full-text side of client search, which SQLAlchemy's metadata does not describe.

SQLite gets an FTS5 table with the trigram tokenizer (substring matches of
three or more characters from an index), kept in step with ``clients.search_text``
by triggers. PostgreSQL gets a ``pg_trgm`` GIN index on the same column, which
``LIKE '%…%'`` uses.
"""

from __future__ import annotations

from typing import Any

FTS_TABLE = "clients_fts"
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
POSTGRES_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {PG_TRGM_INDEX} ON clients USING gin (search_text gin_trgm_ops)",
)
POSTGRES_DROP = (f"DROP INDEX IF EXISTS {PG_TRGM_INDEX}",)


def create_statements(dialect: str) -> tuple[str, ...]:
    return SQLITE_CREATE if dialect == "sqlite" else POSTGRES_CREATE


def drop_statements(dialect: str) -> tuple[str, ...]:
    return SQLITE_DROP if dialect == "sqlite" else POSTGRES_DROP


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For Alembic's comparisons: the search index objects are ours, not the models'."""
    return not (name or "").startswith((FTS_TABLE, PG_TRGM_INDEX))


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_all(dialect: str, terms: list[str]) -> Any:
    """A WHERE clause: ``clients.search_text`` contains every (folded) term.

    Terms of three characters or more come from the index (FTS5 trigram on
    SQLite, pg_trgm on PostgreSQL); shorter ones are checked on what is left.
    """
    from sqlalchemy import and_, literal_column, select, text, true

    from storage.models import Client

    clauses = []
    long_terms = [term for term in terms if len(term) >= 3]
    if dialect == "sqlite" and long_terms:
        expression = " AND ".join('"' + term.replace('"', '""') + '"' for term in long_terms)
        matches: Any = (
            select(literal_column("rowid"))
            .select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=expression))
        )
        clauses.append(Client.id.in_(matches))
        terms = [term for term in terms if len(term) < 3]
    clauses.extend(
        Client.search_text.like(f"%{_like_escape(term)}%", escape="\\") for term in terms
    )
    return and_(*clauses) if clauses else true()


def name_prefix(term: str) -> Any:
    """``name_folded`` starts with ``term``, as a range the index answers."""
    from sqlalchemy import and_

    from storage.models import Client

    return and_(Client.name_folded >= term, Client.name_folded < term + "\U0010ffff")


def name_rank(term: str) -> Any:
    """0 when the name starts with ``term``, 1 when it contains it, 2 otherwise."""
    from sqlalchemy import case

    from storage.models import Client

    escaped = _like_escape(term)
    return case(
        (Client.name_folded.like(f"{escaped}%", escape="\\"), 0),
        (Client.name_folded.like(f"%{escaped}%", escape="\\"), 1),
        else_=2,
    )
