"""Taking back the fields an import defined, when no card holds a value of them: a failed
import's (``FieldDefs.withdraw``) and an undone one's (``crm.imports.undo``). No event,
as defining them made none; the import's items keep that it made them."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FieldDef, FieldValue


async def held_back(session: AsyncSession, field_ids: list[int]) -> dict[int, str]:
    """Those of ``field_ids`` still defined, id → name, locked as a deletion locks them:
    before any card, so a member's value on one (which locks the field first) waits."""
    if not field_ids:
        return {}
    chosen = select(FieldDef.id, FieldDef.name).where(FieldDef.id.in_(field_ids))
    rows = await session.execute(chosen.order_by(FieldDef.id).with_for_update())
    return {field_id: name for field_id, name in rows}


async def delete_unheld(session: AsyncSession, field_ids: list[int]) -> set[int]:
    """Delete those of ``field_ids`` (``held_back`` first) no card holds a value of; their
    ids. Inside the caller's transaction, which drops the definitions' cache."""
    if not field_ids:
        return set()
    held = select(FieldValue.field_id).where(FieldValue.field_id.in_(field_ids))
    gone = delete(FieldDef).where(FieldDef.id.in_(field_ids), FieldDef.id.not_in(held))
    deleted = await session.scalars(
        gone.returning(FieldDef.id).execution_options(synchronize_session="fetch")
    )
    return set(deleted)
