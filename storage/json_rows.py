"""Many rows given to one statement as a single parameter: a JSON array of objects.

An UPDATE of many rows, each to its own values, is one statement joined with these
rows (``UPDATE … FROM``) instead of a statement run once per row (executemany, which
on SQLite kept a full-text index a row at a time and took three times as long) or a
``VALUES`` list of a parameter per cell (SQLAlchemy compiled all of them again for
every statement). SQLite reads the array with ``json_each``, PostgreSQL with
``jsonb_to_recordset``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Text, bindparam, cast, column, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

PARAM = "json_rows"


def json_rows(
    dialect: str, columns: Mapping[str, TypeEngine[Any]]
) -> dict[str, ColumnElement[Any]]:
    """The columns of the rows bound as ``PARAM`` (``rows_param``), by name, to use in a
    statement (its FROM gets the rows)."""
    rows = cast(bindparam(PARAM, type_=Text()), Text())
    if dialect == "postgresql":
        table = (
            func.jsonb_to_recordset(cast(rows, JSONB))
            .table_valued(*(column(name, type_) for name, type_ in columns.items()))
            .render_derived(name="json_rows", with_types=True)
        )
        return {name: table.c[name] for name in columns}
    each = func.json_each(rows).table_valued("value").alias("json_rows")
    return {
        name: cast(func.json_extract(each.c.value, f"$.{name}"), type_)
        for name, type_ in columns.items()
    }


def rows_param(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The parameters of a statement made with ``json_rows`` for ``rows``."""
    return {PARAM: json.dumps(list(rows), ensure_ascii=False)}
