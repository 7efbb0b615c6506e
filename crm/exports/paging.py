"""Reading an export's rows a page at a time, and the small lookups each page needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User

PAGE = 1000


async def pages(session: AsyncSession, query: Any, scalars: bool = True) -> AsyncIterator[Any]:
    """Pages of rows by keyset on the table's id, so a large export never holds it all."""
    last = 0
    entity = query.column_descriptions[0]["entity"]
    while True:
        page_query = query.where(entity.id > last).limit(PAGE)
        if scalars:
            page = list(await session.scalars(page_query))
            ids = [row.id for row in page]
        else:
            page = list((await session.execute(page_query)).all())
            ids = [row[0].id for row in page]
        if not page:
            return
        yield page
        last = ids[-1]


async def joined(
    session: AsyncSession, key: Any, value: Any, ids: list[int], order: Any = None
) -> dict[int, str]:
    """Each card's values of a one-to-many column (phones, e-mails, tags), comma-joined in
    ``order`` (the card's: phones and e-mails as added, the first the main one), else by
    value (tags, as the card shows them)."""
    found: dict[int, list[str]] = {}
    ordered = select(key, value).where(key.in_(ids)).order_by(value if order is None else order)
    rows = await session.execute(ordered)
    for card_id, item in rows:
        found.setdefault(card_id, []).append(str(item))
    return {card_id: ", ".join(items) for card_id, items in found.items()}


async def member_names(session: AsyncSession) -> dict[int, str]:
    return {u.id: u.full_name or str(u.id) for u in await session.scalars(select(User))}
