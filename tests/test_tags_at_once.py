"""A tag put on a card by two writers at the same time is put on once, neither fails, and
the card's search line ends up with every tag (and custom value) put on.

On PostgreSQL with several instances (or several update tasks), a member may add a
tag while another transaction, not yet committed, adds the same one or another: another
member, a rule's action, an import. The other transaction is played by a second
connection that holds its insert open while the code under test runs in a task; on
SQLite the task simply waits for the write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from crm.cards import CardKind, CardRef
from crm.errors import Conflict, ErrorCode
from crm.imports.outcome import Outcome
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from crm.parsing.fields import FieldType
from crm.service import Crm
from storage.models import Client, ClientTag, Event, FieldValue, User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID

T = TypeVar("T")


async def held_tag(other: AsyncConnection, client_id: int, tag: str) -> None:
    """Another writer puts ``tag`` on the card (and into its search line, touching it) and
    has not committed yet."""
    await other.execute(insert(ClientTag).values(client_id=client_id, tag=tag))
    await other.execute(
        update(Client)
        .where(Client.id == client_id)
        .values(last_activity_at=datetime.now(UTC), search_text=Client.search_text + " " + tag)
    )


async def tags_of(app: App, client_id: int) -> list[str]:
    async with app.crm.open() as crm:
        rows = await crm.clients._session.scalars(
            select(ClientTag.tag).where(ClientTag.client_id == client_id).order_by(ClientTag.tag)
        )
        return list(rows)


async def found_by(app: App, owner: User, *terms: str) -> dict[str, list[int]]:
    """The ids of the clients a search finds, by each of ``terms``."""
    async with app.crm.open() as crm:
        return {t: [c.id for c in await crm.client_queries.search(owner, t)] for t in terms}


async def while_another_tags(
    app: App, client_id: int, tag: str, work: Callable[[Crm], Awaitable[T]]
) -> T:
    """``work`` done on a CRM of its own while another connection is putting ``tag`` on the
    card (held until the work waits for it)."""
    async with app.engine.connect() as other:
        await held_tag(other, client_id, tag)

        async def run() -> T:
            async with app.crm.open() as crm:
                return await work(crm)

        working = asyncio.create_task(run())
        await asyncio.sleep(0.2)
        assert not working.done()  # it waits for the other transaction
        await other.commit()
    return await working


async def add_while_another_tags(app: App, tags: list[str]) -> tuple[int, User, list[str]]:
    """The owner adds ``tags`` to Acme's card while another puts "vip" on it: the card's
    id, the owner, the tags answered."""
    acme = await make_client(app, OWNER_ID, "Acme")
    owner = await member(app, OWNER_ID)
    added = await while_another_tags(
        app, acme.id, "vip", lambda crm: crm.client_edits.add_tags(owner, acme.id, tags)
    )
    return acme.id, owner, added


async def test_a_member_adding_a_tag_another_is_adding_gets_the_tags_not_an_error(
    app: App,
) -> None:
    acme_id, _owner, added = await add_while_another_tags(app, ["VIP", "опт"])
    assert added == ["vip", "опт"]
    assert await tags_of(app, acme_id) == ["vip", "опт"]
    async with app.crm.open() as crm:
        changes = list(
            await crm.clients._session.scalars(
                select(Event.data).where(Event.client_id == acme_id, Event.kind == "tags_changed")
            )
        )
    assert changes == [{"added": ["опт"], "removed": []}]  # "vip" was the other's to add


async def import_while_another_tags(app: App, tag: str = "vip") -> tuple[int, User, Outcome]:
    """Maria's card filled by an import with the tag "vip" while another puts ``tag`` on
    it: her id, the owner, the run."""
    maria = await make_client(app, OWNER_ID, "Мария", phones=("+79035556677",))
    owner = await member(app, OWNER_ID)
    table = read_table("Имя;Телефон;Теги\nМария;89035556677;vip\n".encode(), "x.csv")
    mapping = ["name", "phone", "tags"]
    result = await while_another_tags(
        app,
        maria.id,
        tag,
        lambda crm: crm.imports.run(owner, table, mapping, "x.csv", Policy.FILL),
    )
    return maria.id, owner, result


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


async def test_two_members_adding_different_tags_at_once_find_the_card_by_both(
    app: App,
) -> None:
    """The other member's "vip" is on and in the card's search line, not committed yet; the
    owner's "опт" must be written after it, not over it (the line is rebuilt from the tags)."""
    acme_id, owner, added = await add_while_another_tags(app, ["опт"])
    assert added == ["vip", "опт"]
    assert await found_by(app, owner, "vip", "опт") == {"vip": [acme_id], "опт": [acme_id]}


async def test_an_import_filling_a_card_another_tags_keeps_the_others_tag_in_search(
    app: App,
) -> None:
    maria_id, owner, result = await import_while_another_tags(app, "опт")
    assert result.updated == 1
    assert await found_by(app, owner, "vip", "опт") == {"vip": [maria_id], "опт": [maria_id]}


async def test_an_undo_waits_for_a_member_tagging_the_card_and_then_refuses(app: App) -> None:
    """The member's change, committed while the undo ran, is not thrown away by it (nor
    the tag dropped from the card's search line): the undo sees it and refuses."""
    maria = await make_client(app, OWNER_ID, "Мария", phones=("+79035556677",))
    owner = await member(app, OWNER_ID)
    table = read_table("Имя;Телефон;Теги\nМария;89035556677;vip\n".encode(), "x.csv")
    async with app.crm.open() as crm:
        done = await crm.imports.run(owner, table, ["name", "phone", "tags"], "x.csv", Policy.FILL)
    async with app.engine.connect() as other:
        await held_tag(other, maria.id, "опт")
        await other.execute(
            insert(Event).values(
                occurred_at=datetime.now(UTC),
                actor_id=OWNER_ID,
                kind="tags_changed",
                client_id=maria.id,
                data={"added": ["опт"], "removed": []},
            )
        )

        async def undo() -> None:
            async with app.crm.open() as crm:
                await crm.import_undo.undo(owner, done.batch_id)

        undoing = asyncio.create_task(undo())
        await asyncio.sleep(0.2)
        assert not undoing.done()
        await other.commit()
    with pytest.raises(Conflict) as refused:
        await undoing
    assert refused.value.code == ErrorCode.IMPORT_CHANGED_SINCE
    assert await found_by(app, owner, "vip", "опт") == {"vip": [maria.id], "опт": [maria.id]}


async def test_two_custom_values_set_at_once_are_both_in_the_search_line(app: App) -> None:
    """Another member's "Склад" value is on the card and in its search line, not committed
    yet; the owner's "Район" value must be written after it, not over it."""
    acme = await make_client(app, OWNER_ID, "Acme")
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        store = await crm.fields.define(owner, CardKind.CLIENT, "Склад", FieldType.TEXT)
        area = await crm.fields.define(owner, CardKind.CLIENT, "Район", FieldType.TEXT)
    ref = CardRef(CardKind.CLIENT, acme.id)
    async with app.engine.connect() as other:
        await other.execute(
            insert(FieldValue).values(field_id=store.id, client_id=acme.id, text_value="Север")
        )
        await other.execute(
            update(Client)
            .where(Client.id == acme.id)
            .values(fields_search="север", search_text=Client.search_text + " север")
        )

        async def set_area() -> object:
            async with app.crm.open() as crm:
                return await crm.field_values.set(owner, ref, area.id, "Заречье")

        setting = asyncio.create_task(set_area())
        await asyncio.sleep(0.2)
        assert not setting.done()  # it waits for the other transaction
        await other.commit()
    await setting
    found = await found_by(app, owner, "север", "заречье")
    assert found == {"север": [acme.id], "заречье": [acme.id]}
