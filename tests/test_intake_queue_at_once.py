"""A queued lead taken or thrown out as spam while another member changes its card or deal.

On PostgreSQL "Spam" wrote the lead's deal (lost), then its client (archived), while a
member winning the deal holds the client first and then the deal: each waited for the
other, and PostgreSQL aborted one with a deadlock; and spam decided from the deal as
it was before the member's change, so a deal just won was marked lost. "Take it" read
the client before the owner's giving it to another manager was committed, and wrote
its taker over it. The other member is played by a second connection that holds the
client (and then the deal), as deal writers lock them (crm.row_locks.deal_locked), with
its change not committed; on SQLite the member simply waits for the write lock.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update

from bot.app import App
from crm.clock import ManualClock
from crm.errors import NotFound
from storage.models import Client, Deal, Lead
from tests.at_once import lock, once_other_commits
from tests.conftest import Joiner
from tests.test_intake_core import add_source, member_in, post

MAX, ANNA = 5401, 5402


async def queued(app: App) -> Lead:
    """A lead from the site's form, with a new card and an open deal, in the queue."""
    lead_id = await post(
        app, await add_source(app, open_deal=True), name="Гость", phone="+79990001122"
    )
    async with app.crm.open() as crm:
        lead = await crm.incoming._session.get(Lead, lead_id)  # the tables, read directly
    assert lead is not None and lead.client_id is not None and lead.deal_id is not None
    return lead


async def test_a_lead_thrown_out_while_its_deal_is_won_leaves_the_deal_won(
    app: App, clock: ManualClock, join: Joiner
) -> None:
    await join(MAX)
    lead = await queued(app)
    assert lead.client_id is not None and lead.deal_id is not None
    async with app.crm.open() as crm:
        won = next(s.id for s in await crm.pipelines.stages() if s.kind == "won")

    async def spam() -> object:
        async with app.crm.open() as crm:
            return await crm.incoming.spam(await member_in(crm, MAX), lead.id)

    async with app.engine.connect() as other:  # a member winning the deal: client, then deal
        await other.execute(lock(Client, lead.client_id))
        touched = update(Client).where(Client.id == lead.client_id)
        await other.execute(touched.values(last_activity_at=clock.now()))  # (SQLite: write lock)
        throwing = asyncio.create_task(spam())
        await asyncio.sleep(0.2)
        assert not throwing.done()  # it waits for the member's transaction
        await other.execute(lock(Deal, lead.deal_id))
        winning = update(Deal).where(Deal.id == lead.deal_id)
        await other.execute(winning.values(stage_id=won, closed_at=clock.now(), lost_reason=None))
        await other.commit()
    await throwing
    after = (
        select(Deal.stage_id, Deal.lost_reason, Client.archived_at, Lead.spam_at)
        .join(Lead, Lead.deal_id == Deal.id)
        .join(Client, Client.id == Lead.client_id)
        .where(Lead.id == lead.id)
    )
    async with app.engine.connect() as db:
        row = (await db.execute(after)).one()
    assert (row.stage_id, row.lost_reason) == (won, None)  # not lost as spam
    assert row.archived_at is not None and row.spam_at is not None


async def test_a_lead_taken_while_its_card_is_given_to_another_is_not_taken(
    app: App, join: Joiner
) -> None:
    await join(MAX)
    await join(ANNA)
    lead = await queued(app)
    assert lead.client_id is not None

    async def take() -> object:
        async with app.crm.open() as crm:
            return await crm.incoming.take(await member_in(crm, MAX), lead.id)

    async with app.engine.connect() as other:  # the owner gives the card to Anna
        await other.execute(lock(Client, lead.client_id))
        given = update(Client).where(Client.id == lead.client_id).values(manager_id=ANNA)
        await other.execute(given)
        with pytest.raises(NotFound):  # as for a lead of a client Max does not see
            await once_other_commits(other, take())
    async with app.engine.connect() as db:
        manager = await db.scalar(select(Client.manager_id).where(Client.id == lead.client_id))
        taken_by = await db.scalar(select(Lead.taken_by).where(Lead.id == lead.id))
    assert (manager, taken_by) == (ANNA, None)
