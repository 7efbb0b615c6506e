"""A row's deal that its client, already in the base, already has: not added again.

"The same deal" is one of the client's deals, at any stage, open or closed, with the same
title (``fold``: case, ё and spaces aside) and the same amount: the title the row's deal
would take (its own, or the client's name, as ``writer.create_deals`` gives it) and its
amount, 0 if it has none; or a deal an earlier import made of a row of that title and
amount (its item keeps them: ``as_imported``), however it was renamed or repriced in the
bot since. So a file sent twice, its clients skipped or filled in the second time, adds no
deal twice, while a new deal of a known client still goes in. Only the deals the base held
before the import count: a deal the file names twice for one client is added twice, as the
first import of that file did.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.imports.lookup import CHUNK
from crm.imports.plan import Plan, root
from crm.imports.rows import RowDraft
from crm.parsing.search_text import fold
from storage.models import Deal, ImportItem

DealKey = tuple[int, str, int]  # the client's id, the folded title, the amount in minor units


def key(client_id: int, draft: RowDraft) -> DealKey:
    return client_id, fold(draft.deal_title or draft.name[:200]), draft.deal_amount or 0


async def there(
    session: AsyncSession, client_ids: Iterable[int], batch_id: int | None = None
) -> set[DealKey]:
    """The deals of ``client_ids``, but those the import ``batch_id`` made (a run's
    earlier chunks)."""
    wanted = sorted(set(client_ids))
    query = select(Deal.client_id, Deal.title, Deal.amount_minor)
    if batch_id is not None:
        made = select(ImportItem.record_id).where(
            ImportItem.batch_id == batch_id, ImportItem.entity == "deal"
        )
        query = query.where(Deal.id.not_in(made))
    found: set[DealKey] = set()
    imported = select(Deal.client_id, ImportItem.before).join(
        ImportItem, (ImportItem.record_id == Deal.id) & (ImportItem.entity == "deal")
    )
    if batch_id is not None:
        imported = imported.where(ImportItem.batch_id != batch_id)
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        rows = await session.execute(query.where(Deal.client_id.in_(part)))
        found.update((client_id, fold(title), amount) for client_id, title, amount in rows)
        items = await session.execute(imported.where(Deal.client_id.in_(part)))
        found.update((cid, *b["as_imported"]) for cid, b in items if "as_imported" in b)
    return found


async def new_ones(
    session: AsyncSession, batch_id: int, pairs: list[tuple[int, RowDraft, int]]
) -> list[tuple[int, RowDraft, int]]:
    """Of a run's deals to make (client id, draft, manager id), those not in the base."""
    if not pairs:
        return []
    known = await there(session, (client_id for client_id, _d, _m in pairs), batch_id)
    return [pair for pair in pairs if key(pair[0], pair[1]) not in known]


async def in_base(
    session: AsyncSession, work: Plan, matches: list[int | None], hidden: set[int]
) -> int:
    """The preview's rows whose deal their client in the base already has (``matches``:
    a repeat's client is its first row's, as the run gives it, else its own; rows of
    clients ``hidden`` from the reader make no deal): a run that skips or fills in the
    known clients does not add them."""
    clients: dict[int, int] = {}
    for i, draft in enumerate(work.drafts):
        first = root(work.repeats, i)
        client = matches[first] if matches[first] is not None else matches[i]
        if draft.has_deal and client is not None and not hidden & {i, first}:
            clients[i] = client
    known = await there(session, clients.values())
    return sum(1 for i, client in clients.items() if key(client, work.drafts[i]) in known)
