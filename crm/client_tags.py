"""Tags put on cards: one row per card and tag, inserted or nothing.

The same tag may be put on a card by two writers at once (two members, a rule's
action, an import). On SQLite one waits for the other and then sees the tag; on
PostgreSQL both may read it as absent, and the second insert failed with a unique
violation. The rows go in with "on conflict do nothing" (on PostgreSQL the second
waits for the first to commit), and only what this writer put on is reported.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from storage.insert_or_nothing import insert_or_nothing
from storage.models import ClientTag

_TABLE = cast(Table, ClientTag.__table__)


async def put_on(session: AsyncSession, client_id: int, tags: list[str]) -> list[str]:
    """Put ``tags`` on the card; those put on now, in order (the others were on already)."""
    put = await put_rows(session, [{"client_id": client_id, "tag": tag} for tag in tags])
    return [tag for tag in tags if (client_id, tag) in put]


async def put_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """Put each row's tag on its card; the (card, tag) pairs put on now."""
    if not rows:
        return set()
    statement = insert_or_nothing(session, _TABLE).returning(_TABLE.c.client_id, _TABLE.c.tag)
    result = await session.execute(statement, rows)
    return {(int(client_id), str(tag)) for client_id, tag in result.all()}
