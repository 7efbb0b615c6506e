"""Rows locked before a write that depends on what was read in them.

On PostgreSQL (READ COMMITTED) two members changing one thing at once each read it
as it was before the other's change, and the later commit undid the earlier: two
tags added to a client at once left one out of its search line (each writer rebuilt
the line from the tags it had read), a repeating task marked done twice came back
twice, two cards were linked twice, one of two group switches was lost. A writer that
decides from a row locks it first and reads it afresh, so the second waits for the
first to commit and sees its change. The lock is FOR NO KEY UPDATE: FOR UPDATE would
also hold up, until the commit, every insert of a row pointing at the locked one (a
client's events and tasks). Nothing on SQLite, where writers take turns anyway.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.cards import CardKind, CardRef
from crm.errors import Conflict, ErrorCode
from storage.models import Client, Deal, Record

CHUNK = 500
MOVES = 3  # a deal's moves to another client that one writer waits out (deal_locked)
Model = TypeVar("Model")
CardRow = TypeVar("CardRow", bound=Client | Deal | Record)
TABLES: dict[CardKind, type[Client] | type[Deal] | type[Record]] = {
    CardKind.CLIENT: Client,
    CardKind.DEAL: Deal,
    CardKind.RECORD: Record,
}
_WAITED = "row_locks.waited"  # the session's seconds in lock statements (``waited``)


def waited(session: AsyncSession) -> float:
    """How long ``session`` has spent locking cards (``all_locked``, so ``cards_locked``
    and ``deal_locked`` too; not ``locked``'s single rows) on PostgreSQL: mostly waiting
    for rows other transactions hold, when it is long. Background work leaves it out of
    its own time (``crm.imports.paced``). Nothing on SQLite, where locking waits for no one."""
    return float(session.info.get(_WAITED, 0.0))


@contextmanager
def _timed(session: AsyncSession) -> Iterator[None]:
    began = time.perf_counter()
    try:
        yield
    finally:
        if session.get_bind().dialect.name != "sqlite":
            session.info[_WAITED] = waited(session) + time.perf_counter() - began


async def locked(session: AsyncSession, model: type[Model], key: Any) -> Model | None:
    """The row of ``model`` with primary key ``key``, locked until the transaction ends
    and read afresh (None if there is none)."""
    return await session.get(
        model, key, with_for_update={"key_share": True}, populate_existing=True
    )


async def all_locked(
    session: AsyncSession, model: type[CardRow], ids: Iterable[int]
) -> dict[int, CardRow]:
    """The cards of ``model`` and ``ids`` by id, locked in id order (two writers of several
    cards then never each hold one the other waits for)."""
    found: dict[int, CardRow] = {}
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        with _timed(session):
            rows = await session.scalars(
                select(model)
                .where(model.id.in_(ordered[start : start + CHUNK]))
                .order_by(model.id)
                .with_for_update(key_share=True)
                .execution_options(populate_existing=True)
            )
        found.update((card.id, card) for card in rows)
    return found


async def columns_locked(
    session: AsyncSession, model: type[CardRow], ids: Iterable[int], *columns: Any
) -> list[tuple[Any, ...]]:
    """``columns`` of the cards of ``model`` and ``ids``, locked as ``all_locked`` locks
    them, as plain rows: for many cards at once, with no object made for each."""
    found: list[tuple[Any, ...]] = []
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        with _timed(session):
            rows = await session.execute(
                select(*columns)
                .where(model.id.in_(ordered[start : start + CHUNK]))
                .order_by(model.id)
                .with_for_update(key_share=True, of=model)
            )
        found.extend(tuple(row) for row in rows)
    return found


async def cards_locked(session: AsyncSession, refs: Iterable[CardRef]) -> set[CardRef]:
    """Those of ``refs`` there are, locked in one order (by kind, then id) whoever locks
    them: a member linking two cards and an import linking many wait for each other and
    then find the other's link, and never each hold a card the other waits for."""
    wanted = set(refs)
    there: set[CardRef] = set()
    for kind in sorted(CardKind, key=lambda kind: kind.value):
        ids = [ref.id for ref in wanted if ref.kind == kind]
        if ids:
            there.update(CardRef(kind, i) for i in await all_locked(session, TABLES[kind], ids))
    return there


async def deal_locked(session: AsyncSession, deal_id: int, *also: CardRef) -> None:
    """Lock the deal's client, the deal and ``also``, read afresh: a writer of a deal also
    writes its client's last activity, and in this order (the order linking locks them in)
    it never holds the deal while a linker holding the client waits for it.

    The client is read before its lock, so a deal moved to another client meanwhile is
    found under the lock: its locks are let go (rolled back to a savepoint, which on
    PostgreSQL frees the row locks taken since) and the new client's taken, again client
    first. Taking the new client while holding the deal instead would be the other order,
    and a writer who read the new client, locked it and waits for the deal would deadlock
    with this one. After ``MOVES`` such moves in a row it is refused (``DEAL_MOVING``).
    A deal that is gone (or goes meanwhile) leaves the caller's own read to find none."""
    await deals_locked(session, (deal_id,), *also)


async def deals_locked(session: AsyncSession, deal_ids: Iterable[int], *also: CardRef) -> None:
    """``deal_locked`` for several deals at once (a batch of automation firings): their
    clients, the deals and ``also`` locked together in the one order (``cards_locked``),
    so that the batch never holds one deal while waiting for another's client."""
    ordered = sorted(set(deal_ids))
    clients: dict[int, int] = {}  # each deal's client, as read before the locks
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows = await session.execute(select(Deal.id, Deal.client_id).where(Deal.id.in_(chunk)))
        clients.update((deal_id, client_id) for deal_id, client_id in rows)
    if not clients:
        await cards_locked(session, also)
        return
    for _ in range(MOVES):
        async with session.begin_nested() as turn:
            deals = [CardRef(CardKind.DEAL, deal_id) for deal_id in clients]
            wanted = [CardRef(CardKind.CLIENT, client_id) for client_id in clients.values()]
            there = await cards_locked(session, (*wanted, *deals, *also))
            moved: dict[int, int] = {}
            for deal in deals:
                found = await session.get(Deal, deal.id) if deal in there else None  # as locked
                if found is not None and found.client_id != clients[deal.id]:
                    moved[deal.id] = found.client_id
            if not moved:
                return
            await turn.rollback()
        clients.update(moved)
    raise Conflict(ErrorCode.DEAL_MOVING)
