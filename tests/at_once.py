"""Two writers at once: the other one is a second connection holding its transaction open."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from storage.models import Client, Deal, Record, User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

T = TypeVar("T")


def lock(model: type[Client] | type[Deal] | type[Record], key: int) -> Select[int]:
    """The lock a writer takes on a card (crm.row_locks), for another connection to hold."""
    return select(model.id).where(model.id == key).with_for_update(key_share=True)


async def acme_deal(app: App) -> tuple[User, Deal]:
    """The owner, and Acme's deal "Supply" (500) the owner made a moment ago."""
    owner = await member(app, OWNER_ID)
    acme = await make_client(app, OWNER_ID, "Acme")
    async with app.crm.open() as crm:
        return owner, await crm.deals.create(owner, acme.id, 500, title="Supply")


async def once_other_commits(other: AsyncConnection, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``, check that it waits for ``other``'s open transaction, commit that,
    and return what ``work`` returns."""
    working = asyncio.create_task(work)
    await asyncio.sleep(0.2)
    assert not working.done()  # it waits for the other transaction
    await other.commit()
    return await working
