"""Alembic environment: runs on a connection handed over by ``storage.migrate``."""

from __future__ import annotations

from alembic import context

import storage.models  # noqa: F401  (registers the tables)
from storage.base import Base
from storage.search_index import include_object

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `python -m bot migrate`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
