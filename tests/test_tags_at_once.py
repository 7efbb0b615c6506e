"""A tag put on a card by two writers at the same time is put on once, and neither fails.

On PostgreSQL with several instances (or several update tasks), a member may add a
tag while another transaction, not yet committed, adds the same one: another member,
a rule's action, an import. The other transaction is played by a second connection
that holds its insert open while the code under test runs in a task; on SQLite the
task simply waits for the write lock.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.imports.service import Outcome
from storage.models import Client, ClientTag, Event, User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID


async def held_tag(other: AsyncConnection, client_id: int, tag: str) -> None:
    """Another writer puts ``tag`` on the card (and touches it) and has not committed yet."""
    await other.execute(insert(ClientTag).values(client_id=client_id, tag=tag))
    await other.execute(
        update(Client).where(Client.id == client_id).values(last_activity_at=datetime.now(UTC))
    )


async def tags_of(app: App, client_id: int) -> list[str]:
    async with app.crm.open() as crm:
        rows = await crm.clients._session.scalars(
            select(ClientTag.tag).where(ClientTag.client_id == client_id).order_by(ClientTag.tag)
        )
        return list(rows)


async def test_a_member_adding_a_tag_another_is_adding_gets_the_tags_not_an_error(
    app: App,
) -> None:
    acme = await make_client(app, OWNER_ID, "Acme")
    owner = await member(app, OWNER_ID)
    async with app.engine.connect() as other:
        await held_tag(other, acme.id, "vip")

        async def add() -> list[str]:
            async with app.crm.open() as crm:
                return await crm.client_edits.add_tags(owner, acme.id, ["VIP", "опт"])

        adding = asyncio.create_task(add())
        await asyncio.sleep(0.2)
        assert not adding.done()  # it waits for the other transaction
        await other.commit()
    assert await adding == ["vip", "опт"]
    assert await tags_of(app, acme.id) == ["vip", "опт"]
    async with app.crm.open() as crm:
        changes = list(
            await crm.clients._session.scalars(
                select(Event.data).where(Event.client_id == acme.id, Event.kind == "tags_changed")
            )
        )
    assert changes == [{"added": ["опт"], "removed": []}]  # "vip" was the other's to add


async def import_while_another_tags(app: App) -> tuple[int, User, Outcome]:
    """Maria's card filled by an import with the tag "vip" while another connection is
    putting "vip" on it (held until the import waits for it): her id, the owner, the run."""
    maria = await make_client(app, OWNER_ID, "Мария", phones=("+79035556677",))
    owner = await member(app, OWNER_ID)
    table = read_table("Имя;Телефон;Теги\nМария;89035556677;vip\n".encode(), "x.csv")
    async with app.engine.connect() as other:
        await held_tag(other, maria.id, "vip")

        async def run() -> Outcome:
            async with app.crm.open() as crm:
                mapping = ["name", "phone", "tags"]
                return await crm.imports.run(owner, table, mapping, "x.csv", Policy.FILL)

        importing = asyncio.create_task(run())
        await asyncio.sleep(0.2)
        assert not importing.done()
        await other.commit()
    return maria.id, owner, await importing


async def test_an_import_filling_a_card_another_is_tagging_goes_on(app: App) -> None:
    maria_id, _owner, result = await import_while_another_tags(app)
    assert result.updated == 1  # not interrupted by a unique violation
    assert await tags_of(app, maria_id) == ["vip"]


async def test_undoing_an_import_leaves_a_tag_another_put_on_meanwhile(app: App) -> None:
    """The import did not put "vip" on (another did, while its chunk was written): its
    undo must not take it off."""
    maria_id, owner, result = await import_while_another_tags(app)
    async with app.crm.open() as crm:
        await crm.import_undo.undo(owner, result.batch_id)
    assert await tags_of(app, maria_id) == ["vip"]
