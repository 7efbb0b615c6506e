"""Issue 10, item 12 (crm side): the owner deletes a deal; a deal moves to another client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from crm.errors import Conflict, NotAllowed, NotFound
from crm.service import Crm
from storage.engine import create_session_factory
from storage.models import Deal, Event, Task, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MILA = 5201


async def actor(crm: Crm, user_id: int) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def test_the_owner_deletes_a_deal_with_its_tasks_and_the_events_stay(
    app: App, join: Joiner
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    client = await make_client(app, OWNER_ID, "Acme")
    async with app.crm.open() as crm:
        owner, mila = await actor(crm, OWNER_ID), await actor(crm, MILA)
        await crm.client_edits.set_manager(owner, client.id, None)
        deal = await crm.deals.create(owner, client.id, 900, title="Wrong deal")
        due = crm.clock.now() + timedelta(days=1)
        for title in ("call", "send"):
            await crm.tasks.create(owner, title, due, client_id=client.id, deal_id=deal.id)
        kept = await crm.tasks.create(owner, "stays", due, client_id=client.id)
        await crm.deals.comment(owner, deal.id, "a note")
        with pytest.raises(NotAllowed):
            await crm.deal_edits.delete(mila, deal.id)
        assert await crm.deal_edits.deletion_preview(owner, deal.id) == 2
        assert await crm.deal_edits.delete(owner, deal.id) == 2
        with pytest.raises(NotFound):
            await crm.deal_edits.delete(owner, deal.id)
    async with create_session_factory(app.engine)() as db:
        assert await db.get(Deal, deal.id) is None
        assert [t.id for t in await db.scalars(select(Task))] == [kept.id]
        rows = list(await db.scalars(select(Event).where(Event.client_id == client.id)))
        kinds = [e.kind for e in rows]
        assert "comment" in kinds and "deal_created" in kinds  # the history stays
        [gone] = [e for e in rows if e.kind == "deal_deleted"]
        assert (gone.text, gone.data["tasks"], gone.actor_id) == ("Wrong deal", 2, OWNER_ID)
        assert all(e.deal_id is None for e in rows)


async def test_a_deal_moves_to_another_client_with_an_event_on_both(app: App, join: Joiner) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    first = await make_client(app, MILA, "First")
    second = await make_client(app, MILA, "Second")
    other = await make_client(app, OWNER_ID, "Owner's")
    async with app.crm.open() as crm:
        owner, mila = await actor(crm, OWNER_ID), await actor(crm, MILA)
        await crm.client_edits.set_manager(owner, other.id, owner.id)
        deal = await crm.deals.create(mila, first.id, 100, title="Order")
        due = crm.clock.now() + timedelta(days=1)
        task = await crm.tasks.create(mila, "call", due, client_id=first.id, deal_id=deal.id)
        with pytest.raises(NotFound):  # she cannot move it to a client she does not see
            await crm.deal_edits.move_to_client(mila, deal.id, other.id)
        with pytest.raises(Conflict) as same:
            await crm.deal_edits.move_to_client(mila, deal.id, first.id)
        assert same.value.code == "same_client"
        moved = await crm.deal_edits.move_to_client(mila, deal.id, second.id)
        assert moved.client_id == second.id
    async with create_session_factory(app.engine)() as db:
        assert (await db.get(Task, task.id)).client_id == second.id  # type: ignore[union-attr]
        rows = list(await db.scalars(select(Event).where(Event.kind == "deal_client_changed")))
        assert sorted(e.client_id or 0 for e in rows) == sorted([first.id, second.id])
        assert rows[0].data["old_name"] == "First" and rows[0].data["new_name"] == "Second"
