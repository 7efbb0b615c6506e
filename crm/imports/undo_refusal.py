"""An undo refused because imported cards were changed since: which of them it names.

The refusal names the first few changed cards, and a member is never told the name of a
card he cannot see: a manager's card given to another manager since the import is counted
apart (``hidden``), never named, though his own import file made it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from crm.errors import Conflict, ErrorCode

CHUNK = 500
NAMES_SHOWN = 5


async def refuse_changed(
    session: AsyncSession,
    changed: set[int],
    own: InstrumentedAttribute[int],
    name: InstrumentedAttribute[str],
    seen: ColumnElement[bool] | None,
) -> None:
    """Refuse the undo when any card was ``changed``: the names of the first few of them
    the member sees (``seen``, the SQL of what he sees; None: every card), and how many
    changed, how many of them he cannot see."""
    if not changed:
        return
    ids = sorted(changed)
    if seen is not None:
        visible: list[int] = []
        for at in range(0, len(ids), CHUNK):
            part = ids[at : at + CHUNK]
            visible += await session.scalars(select(own).where(own.in_(part), seen))
        ids = sorted(visible)
    names = list(
        await session.scalars(select(name).where(own.in_(ids[:NAMES_SHOWN])).order_by(name))
        if ids
        else []
    )
    raise Conflict(
        ErrorCode.IMPORT_CHANGED_SINCE,
        names=names,
        count=len(changed),
        hidden=len(changed) - len(ids),
    )
