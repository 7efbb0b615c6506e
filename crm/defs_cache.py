"""The team's field definitions and record types, kept in this process for the cards.

Every card shows its custom fields by the names and in the order the owner
gave them, and names its links' groups by record type. Reading them afresh
for every card costs a statement and some twenty ORM objects, a fifth of the
client card's time; they change a few times a year. So ``DefsCache`` keeps one
copy per process (``CrmFactory`` holds it, as it holds ``SettingsCache`` for
the team's settings), shared by every update:

* a change made through this process (``FieldDefs``, ``RecordTypes``: adding,
  renaming, moving or deleting a field or an option, any change of a record
  type) runs in ``changing``, which drops the copy before it and once it is
  committed or undone, so the next card shows the change;
* a copy is kept only if it was read in a transaction that began after the
  last drop and while no change is under way in this process: a read that
  began earlier sees the database as it was then (SQLite's snapshot), and one
  inside a change may see what that change has not committed yet; such reads
  are used once and not kept;
* with several instances (PostgreSQL), a change made by another one reaches
  this one when the copy is older than ``max_age`` (a few seconds): one small
  read per ``max_age`` instead of one per card, and no extra service.

The copies are transient objects built from plain rows, shared by every
update: read them, never change them nor add them to a session. Whatever
changes definitions reads its own rows from its session (``FieldDefs.of``).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.elements import ColumnElement

from storage.engine import write_transaction
from storage.models import FieldDef, RecordType

_BEGUN = "defs_cache_begun"  # session.info: the cache's generation when its transaction began
_WATCHED_BY = "defs_cache"  # session.info: the DefsCache that watches it


@dataclass(frozen=True)
class Defs:
    """One reading of every field definition and record type (archived ones too)."""

    fields: MappingProxyType[tuple[str, int | None], tuple[FieldDef, ...]]
    types: MappingProxyType[int, RecordType]

    def fields_of(self, kind: str, record_type_id: int | None) -> tuple[FieldDef, ...]:
        """The fields of clients, deals, or one record type, in card order."""
        return self.fields.get((kind, record_type_id), ())


class DefsCache:
    def __init__(
        self, max_age: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_age = max_age
        self._monotonic = monotonic
        self._defs: Defs | None = None
        self._loaded_at = 0.0
        self._generation = 0  # bumped by every drop
        self._changes = 0  # changes under way in this process

    def watch(self, session: AsyncSession) -> None:
        """Note when ``session``'s transactions begin (every ``Crm`` does it for its own):
        a copy read in a session not watched is used for that read and never kept."""
        session.sync_session.info[_WATCHED_BY] = self

    def began(self, sync: Session) -> None:
        sync.info[_BEGUN] = self._generation

    async def get(self, session: AsyncSession) -> Defs:
        now = self._monotonic()
        if self._defs is not None and now - self._loaded_at <= self._max_age:
            return self._defs
        defs = await _load(session)
        if not self._changes and session.info.get(_BEGUN) == self._generation:
            self._defs, self._loaded_at = defs, now
        return defs

    def drop(self) -> None:
        self._defs = None
        self._generation += 1

    @asynccontextmanager
    async def changing(self, session: AsyncSession) -> AsyncIterator[AsyncSession]:
        """A write transaction that changes definitions; the copy is dropped before it
        and once it is committed or undone."""
        self._changes += 1
        self.drop()
        try:
            async with write_transaction(session) as writing:
                yield writing
        finally:
            self._changes -= 1
            self.drop()


@event.listens_for(Session, "after_begin")
def _began(sync: Session, transaction: SessionTransaction, _conn: object) -> None:
    """Every session's transactions, heard once for all (a listener per session cost
    ~25 µs per update): a watched one notes its cache's generation."""
    cache = sync.info.get(_WATCHED_BY)
    if cache is not None and not transaction.nested:  # a savepoint sees what it sees
        cache.began(sync)


async def _load(session: AsyncSession) -> Defs:
    fields: dict[tuple[str, int | None], list[FieldDef]] = {}
    for row in await session.execute(
        select(*_columns(FieldDef)).order_by(FieldDef.position, FieldDef.id)
    ):
        field = FieldDef(**row._mapping)
        fields.setdefault((field.kind, field.record_type_id), []).append(field)
    types = {
        row.id: RecordType(**row._mapping)
        for row in await session.execute(
            select(*_columns(RecordType)).order_by(RecordType.position, RecordType.id)
        )
    }
    return Defs(
        MappingProxyType({key: tuple(found) for key, found in fields.items()}),
        MappingProxyType(types),
    )


def _columns(model: type[FieldDef] | type[RecordType]) -> list[ColumnElement[object]]:
    return [getattr(model, attr.key) for attr in model.__mapper__.column_attrs]
