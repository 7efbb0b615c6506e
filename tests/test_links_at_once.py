"""Two members linking the same two cards at the same moment make one link.

On PostgreSQL with several instances, both looked for a link between the cards, found
none and each made one, so the cards showed each other twice. The other member is
played by a second connection that has locked the two cards, as linking does, and made
its link without committing yet; on SQLite the second member simply waits for the
write lock.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from bot.app import App
from crm.cards import CardKind, CardRef
from crm.errors import Conflict, ErrorCode
from storage.models import Client, Link
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID


async def test_the_second_to_link_two_cards_hears_they_are_linked_already(app: App) -> None:
    acme = await make_client(app, OWNER_ID, "Acme")
    beta = await make_client(app, OWNER_ID, "Beta")
    owner = await member(app, OWNER_ID)
    async with app.engine.connect() as other:
        both = select(Client.id).where(Client.id.in_([acme.id, beta.id])).order_by(Client.id)
        await other.execute(both.with_for_update())
        made = {"a_client_id": acme.id, "b_client_id": beta.id, "created_at": datetime.now(UTC)}
        await other.execute(insert(Link).values(made))

        async def link() -> Link:  # the other way round: the same two cards
            async with app.crm.open() as crm:
                ends = CardRef(CardKind.CLIENT, beta.id), CardRef(CardKind.CLIENT, acme.id)
                return await crm.links.link(owner, *ends)

        linking = asyncio.create_task(link())
        await asyncio.sleep(0.2)
        assert not linking.done()  # it waits for the other member's transaction
        await other.commit()
    with pytest.raises(Conflict) as refused:
        await linking
    assert refused.value.code == ErrorCode.ALREADY_LINKED
    async with app.engine.connect() as db:
        assert await db.scalar(select(func.count()).select_from(Link)) == 1
