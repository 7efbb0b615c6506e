"""An import linking two cards while a member links the same two by hand makes one link.

On PostgreSQL, the import's linking read the links there were, did not see the member's
(not committed yet) and made its own, so the two cards listed each other twice. The
member is played by a second connection that has locked the two cards, as linking by
hand does, and made its link without committing, just as the import's linking begins
(after its rows are written); on SQLite the import simply waits for the write lock.
Likewise a card given to another manager just as the linking begins is not linked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.app import App
from crm.imports.link_targets import LINK_CLIENTS
from crm.imports.outcome import Outcome
from crm.imports.paced import in_chunks
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.pace import Pace
from storage.models import Client, Link
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

MAX, ANNA = 5301, 5302


async def link_by_hand(other: AsyncConnection, name: str, other_name: str) -> None:
    """Another member links the two clients so named (b to a, as a member might) and has
    not committed yet."""
    ids = select(Client.id).where(Client.name.in_([name, other_name])).order_by(Client.id)
    both = list(await other.scalars(ids.with_for_update(key_share=True)))
    made = {"a_client_id": both[1], "b_client_id": both[0], "created_at": datetime.now(UTC)}
    await other.execute(insert(Link).values(made))


async def import_while(
    app: App,
    monkeypatch: pytest.MonkeyPatch,
    actor_id: int,
    other_work: Callable[[AsyncConnection], Awaitable[None]],
) -> Outcome:
    """The import of Борис linked to Acme, whose linking begins while another connection
    has done ``other_work`` (and locked what it wrote) without committing."""
    actor = await member(app, actor_id)
    table = read_table("Имя;Связанные клиенты\nБорис;Acme\n".encode(), "x.csv")
    held = asyncio.Event()

    async with app.engine.connect() as other:

        async def linking_begins(
            session: AsyncSession,
            pace: Pace,
            total: int,
            write: Callable[[range], Awaitable[None]],
        ) -> None:
            await other_work(other)  # Борис is the import's, written
            held.set()
            await in_chunks(session, pace, total, write)

        monkeypatch.setattr("crm.imports.linker.in_chunks", linking_begins)

        async def run() -> Outcome:
            async with app.crm.open() as crm:
                return await crm.imports.run(
                    actor, table, ["name", LINK_CLIENTS], "x.csv", Policy.SKIP
                )

        importing = asyncio.create_task(run())
        await held.wait()
        await asyncio.sleep(0.2)
        assert not importing.done()  # its linking waits for the other's transaction
        await other.commit()
    return await importing


async def test_an_import_linking_cards_a_member_is_linking_makes_one_link(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_client(app, OWNER_ID, "Acme")

    async def by_hand(other: AsyncConnection) -> None:
        await link_by_hand(other, "Борис", "Acme")

    result = await import_while(app, monkeypatch, OWNER_ID, by_hand)
    assert (result.created, result.links.made) == (1, 0)
    async with app.engine.connect() as db:
        assert await db.scalar(select(func.count()).select_from(Link)) == 1


async def test_an_import_does_not_link_a_card_given_to_another_manager_meanwhile(
    app: App, join: Joiner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manager importing found Acme among their clients; the owner gave it to another
    manager before the import's linking locked it: it is not linked, and is reported."""
    await join(MAX, first_name="Max")
    await join(ANNA, first_name="Anna")
    await make_client(app, MAX, "Acme")

    async def give_to_anna(other: AsyncConnection) -> None:
        await other.execute(update(Client).where(Client.name == "Acme").values(manager_id=ANNA))

    result = await import_while(app, monkeypatch, MAX, give_to_anna)
    assert (result.created, result.links.made, result.links.not_linked) == (1, 0, 1)
    assert [(n.name, n.reason) for n in result.links.names] == [("Acme", "not_found")]
    async with app.engine.connect() as db:
        assert await db.scalar(select(func.count()).select_from(Link)) == 0
