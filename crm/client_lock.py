"""A client's row locked before its search line is rebuilt.

The search line (``clients.search_text``) is made from what the writer reads: the
card's name, phones, e-mails, tags and searchable custom values. On PostgreSQL (READ
COMMITTED) two writers of one card at once (two members adding different tags, a
member and an import or its undo) each read the other's new rows as absent, and the
later commit wrote a line without the earlier one's tag: the card was not found by it
until it changed again. A writer that rebuilds the line locks the row first (SELECT …
FOR NO KEY UPDATE, read afresh; nothing on SQLite, where writers take turns anyway), so the
second reads after the first has committed. (Not FOR UPDATE: that would also hold up every
insert of a row pointing at the client, an event or a task, until the commit.)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Client

CHUNK = 500


async def locked(session: AsyncSession, client_id: int) -> Client | None:
    """The client, its row locked until the transaction ends (None if there is none)."""
    return await session.get(
        Client, client_id, with_for_update={"key_share": True}, populate_existing=True
    )


async def all_locked(session: AsyncSession, ids: list[int]) -> dict[int, Client]:
    """The clients of ``ids`` by id, locked in id order (two writers of several cards
    then never each hold one the other waits for)."""
    found: dict[int, Client] = {}
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        rows = await session.scalars(
            select(Client)
            .where(Client.id.in_(ordered[start : start + CHUNK]))
            .order_by(Client.id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        found.update((client.id, client) for client in rows)
    return found
