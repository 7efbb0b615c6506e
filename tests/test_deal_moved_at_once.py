"""A deal changed while it is moved to another client: the writer takes turns on the new client.

A deal writer reads which client the deal is on, then locks that client and the deal
(crm.row_locks.deal_locked). On PostgreSQL a move committed between the two left it
holding the old client's lock and the deal, and it wrote the new client's last activity
while a member linking the new client and the deal held the new client and waited for
the deal: each waited for the other, and PostgreSQL aborted one with a deadlock. The
move is played by a second connection that has changed the deal's client without
committing, the linking member by a third that has locked the new client (as linking
does first) and locks the deal once the writer has found the move; on SQLite the writer
simply waits for the write lock.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.app import App
from crm import row_locks
from crm.clock import ManualClock
from crm.errors import Conflict
from storage.models import Client, Deal
from tests.at_once import lock
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_deal_edits_at_once import WORK, deal_and_writer


@pytest.mark.parametrize("work", list(WORK))
async def test_a_deal_changed_while_it_moves_to_another_client_touches_that_client(
    app: App, clock: ManualClock, join: Joiner, work: str
) -> None:
    deal, run = await deal_and_writer(app, join, work)
    north = await make_client(app, OWNER_ID, "North")
    created = clock.now()
    clock.advance(timedelta(hours=1))  # the deal and its client have a new last activity
    async with app.engine.connect() as linking, app.engine.connect() as moving:
        await linking.execute(lock(Client, north.id))  # linking North and the deal: North first
        moved = update(Deal).where(Deal.id == deal.id).values(client_id=north.id)
        await moving.execute(moved)  # (on SQLite: the write lock)
        working = asyncio.create_task(run())
        await asyncio.sleep(0.2)
        assert not working.done()  # it waits for the move
        await moving.commit()
        await asyncio.sleep(0.2)  # it has found the deal on North, and waits for North
        await linking.execute(lock(Deal, deal.id))
        await linking.commit()
    await working
    async with app.engine.connect() as db:
        found = (await db.execute(select(Deal).where(Deal.id == deal.id))).one()
        touched = await db.scalar(select(Client.last_activity_at).where(Client.id == north.id))
        left = await db.scalar(select(Client.last_activity_at).where(Client.id == deal.client_id))
    assert found.client_id == north.id
    assert found.last_activity_at == touched == clock.now()
    assert left == created  # the client the deal left is not touched


async def test_a_deal_moved_again_and_again_while_it_is_changed_is_refused_untouched(
    app: App, clock: ManualClock, join: Joiner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``MOVES`` moves in a row the writer gives up, with nothing written; one
    move is enough when ``MOVES`` is 1."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("writers take turns on SQLite: the move is over before the writer reads")
    monkeypatch.setattr(row_locks, "MOVES", 1)
    deal, run = await deal_and_writer(app, join, "amount")
    north = await make_client(app, OWNER_ID, "North")
    created = clock.now()
    clock.advance(timedelta(hours=1))
    async with app.engine.connect() as moving:
        await moving.execute(update(Deal).where(Deal.id == deal.id).values(client_id=north.id))
        working = asyncio.create_task(run())
        await asyncio.sleep(0.2)
        assert not working.done()  # it waits for the move
        await moving.commit()
    with pytest.raises(Conflict) as refused:
        await working
    assert refused.value.code == "deal_moving"
    async with app.engine.connect() as db:
        found = (await db.execute(select(Deal).where(Deal.id == deal.id))).one()
    assert (found.amount_minor, found.last_activity_at) == (500, created)
