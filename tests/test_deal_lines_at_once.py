"""A deal whose amount follows its lines counts every line when two change at once.

On PostgreSQL with several instances, a member changing or removing one line while
another member added a line summed the lines it had read (the other's not committed
yet), and its total, written after the other's, left the added line out of the deal's
amount. The other member is played by a second connection that has locked the deal and
the product, as linking does, added its line and the deal's new amount without
committing; on SQLite the first member simply waits for the write lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update

from bot.app import App
from crm.cards import CardKind, CardRef
from crm.service import Crm
from storage.models import Deal, Link, Record, User
from tests.at_once import once_other_commits
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

# How the first line (one piece at 10 000) is changed, and the amount the deal is left
# with once the other's line of 50 000 is in.
CHANGES: dict[str, tuple[Callable[[Crm, User, int], Awaitable[object]], int]] = {
    "set_line": (
        lambda crm, owner, link_id: crm.links.set_line(owner, link_id, 2000, 10_000),
        70_000,
    ),
    "unlink": (lambda crm, owner, link_id: crm.links.unlink(owner, link_id), 50_000),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_line_changed_while_another_is_added_leaves_both_in_the_amount(
    app: App, change: str
) -> None:
    owner = await member(app, OWNER_ID)
    client = await make_client(app, OWNER_ID, "Acme")
    async with app.crm.open() as crm:
        products = await crm.record_types.create(owner, "Товар", "Товары", "📦")
        ice = await crm.records.create(owner, products.id, "Лёд")
        steam = await crm.records.create(owner, products.id, "Пар")
        deal = await crm.deals.create(owner, client.id, 0)
        await crm.links.set_amount_follows_lines(owner, deal.id, True)
        deal_ref = CardRef(CardKind.DEAL, deal.id)
        ice_ref = CardRef(CardKind.RECORD, ice.id)
        first = await crm.links.link(owner, deal_ref, ice_ref, 1000, 10_000)
    work, amount = CHANGES[change]
    async with app.engine.connect() as other:
        for model, key in ((Deal, deal.id), (Record, steam.id)):
            lock = select(model.id).where(model.id == key).with_for_update(key_share=True)
            await other.execute(lock)
        line = {
            "a_deal_id": deal.id,
            "b_record_id": steam.id,
            "quantity_milli": 1000,
            "price_minor": 50_000,
            "created_at": datetime.now(UTC),
        }
        await other.execute(insert(Link).values(line))
        await other.execute(update(Deal).where(Deal.id == deal.id).values(amount_minor=60_000))

        async def run() -> object:
            async with app.crm.open() as crm:
                return await work(crm, owner, first.id)

        await once_other_commits(other, run())
    async with app.engine.connect() as db:
        assert await db.scalar(select(Deal.amount_minor).where(Deal.id == deal.id)) == amount
