"""One field of a client or a deal set by two members at once keeps one value: the later.

On PostgreSQL each member read the card's values of the field, deleted them and put its
own in without waiting for the other, so the card was left with both values of a field
that holds one (and the later's event said the field had been empty). The other member
is played by a second connection that has locked the card, as setting a value now does
(a deal with its client, crm.row_locks.deal_locked), and put its value in without
committing; on SQLite the member simply waits for the write lock.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from bot.app import App
from crm.cards import CardKind, CardRef, value_column
from crm.parsing.fields import FieldType
from storage.models import Client, Deal, Event, FieldValue
from tests.at_once import acme_deal, lock, once_other_commits


@pytest.mark.parametrize("kind", [CardKind.CLIENT, CardKind.DEAL])
async def test_one_field_set_by_two_members_at_once_keeps_the_later_value(
    app: App, kind: CardKind
) -> None:
    owner, deal = await acme_deal(app)
    async with app.crm.open() as crm:
        store = await crm.fields.define(owner, kind, "Склад", FieldType.TEXT)
    ref = CardRef(kind, deal.client_id if kind == CardKind.CLIENT else deal.id)
    locks = [(Client, deal.client_id)] + ([(Deal, deal.id)] if kind == CardKind.DEAL else [])

    async def run() -> object:
        async with app.crm.open() as crm:
            return await crm.field_values.set(owner, ref, store.id, "Юг")

    async with app.engine.connect() as other:  # the other member sets it to "Север"
        for model, key in locks:
            await other.execute(lock(model, key))
        value = {"field_id": store.id, f"{kind.value}_id": ref.id, "text_value": "Север"}
        await other.execute(insert(FieldValue).values(value))
        await once_other_commits(other, run())
    async with app.engine.connect() as db:
        values = await db.scalars(
            select(FieldValue.text_value).where(
                FieldValue.field_id == store.id, value_column(kind) == ref.id
            )
        )
        changed = await db.scalar(select(Event.data).where(Event.kind == "custom_field_changed"))
    assert list(values) == ["Юг"]
    assert changed is not None and (changed["old"], changed["new"]) == ("Север", "Юг")
