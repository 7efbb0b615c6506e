"""An import's run as background work that gives way to members (``crm.pace``).

Planning goes in steps in the event loop rather than in a worker thread (a
thread shares the interpreter with the members' replies for the whole file);
the rows are written in chunks sized by ``Chunks``, each its own short write
transaction, with members let in before each one.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection

from sqlalchemy.ext.asyncio import AsyncSession

from crm import row_locks
from crm.imports.plan import Plan, planning
from crm.imports.reading import Table
from crm.imports.rows import FieldParser
from crm.pace import Chunks, Pace
from storage.engine import write_transaction

Progress = Callable[[int, int], Awaitable[None]]
Write = Callable[[range], Awaitable[None]]  # one chunk's rows written
Guard = Callable[[Write], Write]


async def planned(
    pace: Pace,
    table: Table,
    mapping: list[str],
    region: str,
    parse_field: FieldParser | None = None,
    deal_fields: Collection[int] = (),
    by_name: bool = False,
) -> Plan:
    result = Plan()
    steps = planning(table, mapping, region, parse_field, deal_fields, by_name)
    for result in steps:  # noqa: B007 (the last step's plan is the whole one)
        await pace.give_way()
    return result


async def in_chunks(
    session: AsyncSession,
    pace: Pace,
    total: int,
    write: Write,
    progress: Progress | None = None,
) -> None:
    """``write`` each chunk of ``range(total)`` in a write transaction of its own."""
    chunks, start = Chunks(pace), 0
    while start < total:
        await pace.give_way()
        end = min(start + chunks.size(), total)
        async with write_transaction(session):
            # The chunk's own time: not its wait for the write lock (SQLite, before it) nor
            # for rows another transaction holds (PostgreSQL, in it), which would shrink the
            # next chunk however little work its rows are.
            began, locking = time.perf_counter(), row_locks.waited(session)
            await write(range(start, end))
            took = time.perf_counter() - began - (row_locks.waited(session) - locking)
        chunks.took(end - start, took)
        start = end
        if progress is not None:
            await progress(end, total)
