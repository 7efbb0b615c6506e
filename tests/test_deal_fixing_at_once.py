"""Fixing a deal (moving it to another client, taking it back) while another member acts on it.

On PostgreSQL these read the deal without waiting for a member changing it: two members
moving one deal at once each wrote where it came from as it was before the other's
move (so the history said it left a client it was no longer on), and a deal taken back
while a comment was being added to it went, leaving the comment behind on its client.
The other member is played by a second connection that has locked the deal's client and
the deal, as deal writers do (crm.row_locks.deal_locked), and changed it without
committing; on SQLite the member simply waits for the write lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from bot.app import App
from crm import events
from crm.errors import Conflict
from crm.service import Crm
from storage.models import Client, Deal, Event
from tests.at_once import acme_deal, lock, once_other_commits
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def while_changed(
    app: App, deal: Deal, fixing: Callable[[Crm], Awaitable[object]], change: Any
) -> None:
    """``fixing`` while the other member, holding the deal's client and the deal, has made
    ``change`` and not committed it yet."""

    async def run() -> object:
        async with app.crm.open() as crm:
            return await fixing(crm)

    async with app.engine.connect() as other:
        for model, key in ((Client, deal.client_id), (Deal, deal.id)):
            await other.execute(lock(model, key))
        await other.execute(change)
        await once_other_commits(other, run())


async def test_a_deal_two_members_move_at_once_says_it_left_the_first_ones_client(
    app: App,
) -> None:
    owner, deal = await acme_deal(app)
    north = await make_client(app, OWNER_ID, "North")
    south = await make_client(app, OWNER_ID, "South")
    to_north = update(Deal).where(Deal.id == deal.id).values(client_id=north.id)
    await while_changed(
        app, deal, lambda crm: crm.deal_edits.move_to_client(owner, deal.id, south.id), to_north
    )
    async with app.engine.connect() as db:
        found = await db.scalar(select(Deal.client_id).where(Deal.id == deal.id))
        moves = (
            await db.execute(
                select(Event.client_id, Event.data).where(Event.kind == "deal_client_changed")
            )
        ).all()
    assert found == south.id
    assert sorted(client for client, _ in moves) == sorted((north.id, south.id))
    assert {(data["old"], data["new"]) for _, data in moves} == {(north.id, south.id)}


async def test_a_deal_commented_while_it_is_taken_back_stays(app: App) -> None:
    owner, deal = await acme_deal(app)
    note = events.row(
        datetime.now(UTC), "comment", owner.id, client_id=deal.client_id, deal_id=deal.id
    )
    with pytest.raises(Conflict) as refused:
        await while_changed(
            app,
            deal,
            lambda crm: crm.deal_edits.take_back(owner, deal.id),
            insert(Event).values(note),
        )
    assert refused.value.code == "deal_not_fresh"
    async with app.engine.connect() as db:
        kinds = (await db.scalars(select(Event.kind).where(Event.deal_id == deal.id))).all()
    assert sorted(kinds) == ["comment", "deal_created"]


async def test_a_deal_deleted_while_its_amount_changes_says_what_went(app: App) -> None:
    owner, deal = await acme_deal(app)
    to_700 = update(Deal).where(Deal.id == deal.id).values(amount_minor=700)
    await while_changed(app, deal, lambda crm: crm.deal_edits.delete(owner, deal.id), to_700)
    async with app.engine.connect() as db:
        went = await db.scalar(select(Event.data).where(Event.kind == "deal_deleted"))
        assert await db.scalar(select(Deal.id).where(Deal.id == deal.id)) is None
    assert went is not None and went["amount"] == 700
