"""A deal changed while its client and the deal are being linked: both writers finish.

On PostgreSQL, a deal writer (a move to won or lost, a new amount, title or manager, a
comment) wrote the deal and then the client's last activity, while linking locks the
cards client first, then deal: each held the row the other waited for, and PostgreSQL
aborted one of them with a deadlock. The linking member is played by a second connection
that has locked the client, as linking does first, and made its link, and locks the deal
once the deal writer is under way; on SQLite the deal writer simply waits for the write
lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from bot.app import App
from crm.clock import ManualClock
from crm.service import Crm
from storage.models import Client, Deal, Link, User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MILA = 5201

# What the member does to the deal, given the crm, the member, the deal's id and the stages.
WORK: dict[str, Callable[[Crm, User, int, dict[str, int]], Awaitable[object]]] = {
    "won": lambda crm, owner, deal_id, ids: crm.deals.move(owner, deal_id, ids["won"]),
    "lost": lambda crm, owner, deal_id, ids: crm.deals.move(owner, deal_id, ids["lost"], "Dear"),
    "amount": lambda crm, owner, deal_id, ids: crm.deals.set_amount(owner, deal_id, 700),
    "title": lambda crm, owner, deal_id, ids: crm.deals.set_title(owner, deal_id, "Ice"),
    "manager": lambda crm, owner, deal_id, ids: crm.deals.set_manager(owner, deal_id, MILA),
    "comment": lambda crm, owner, deal_id, ids: crm.deals.comment(owner, deal_id, "Called"),
}


async def deal_and_writer(
    app: App, join: Joiner, work: str
) -> tuple[Deal, Callable[[], Coroutine[Any, Any, object]]]:
    """Acme's deal "Supply" (500), and what does ``work`` to it (in a session of its own)."""
    await join(MILA, "admin", "Mila", language_code="en")
    owner = await member(app, OWNER_ID)
    client = await make_client(app, OWNER_ID, "Acme")
    async with app.crm.open() as crm:
        deal = await crm.deals.create(owner, client.id, 500, title="Supply")
        ids = {str(s.code): s.id for s in await crm.pipelines.stages()}

    async def run() -> object:
        async with app.crm.open() as crm:
            return await WORK[work](crm, owner, deal.id, ids)

    return deal, run


@pytest.mark.parametrize("work", list(WORK))
async def test_a_deal_changed_while_it_is_being_linked_to_its_client_is_changed(
    app: App, clock: ManualClock, join: Joiner, work: str
) -> None:
    deal, run = await deal_and_writer(app, join, work)
    client_id = deal.client_id
    clock.advance(timedelta(hours=1))  # the deal and its client have a new last activity
    async with app.engine.connect() as other:  # linking: client first, then deal
        lock = select(Client.id).where(Client.id == client_id).with_for_update(key_share=True)
        await other.execute(lock)
        made = {"a_client_id": client_id, "b_deal_id": deal.id, "created_at": datetime.now(UTC)}
        await other.execute(insert(Link).values(made))  # (on SQLite: the write lock)
        working = asyncio.create_task(run())
        await asyncio.sleep(0.2)
        assert not working.done()  # it waits for the linking member's transaction
        lock = select(Deal.id).where(Deal.id == deal.id).with_for_update(key_share=True)
        await other.execute(lock)
        await other.commit()
    await working
    async with app.engine.connect() as db:
        changed = await db.scalar(select(Deal.last_activity_at).where(Deal.id == deal.id))
        touched = await db.scalar(select(Client.last_activity_at).where(Client.id == client_id))
    assert changed == touched == clock.now()
