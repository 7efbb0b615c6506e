"""The open cards kept in the process and written behind (crm/open_cards.py): with one
instance, opening a card writes nothing in the update; the clock's tick writes what
changed, every member's in one transaction, and so does the bot when it stops.

Runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm import open_cards as open_cards_module
from crm.clock import ManualClock
from storage.models import User
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner, make_settings
from tests.test_idle_tick import statements, writes


async def written(app: App, user_id: int) -> tuple[Any, ...]:
    """The member's open card as the database holds it."""
    async with app.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT open_client_id, open_deal_id FROM users WHERE id = :id"), {"id": user_id}
        )
        return tuple(row.one())


def begins(seen: list[str]) -> list[str]:
    return [s for s in seen if s.upper().startswith("BEGIN")]


async def test_opening_cards_writes_nothing_until_the_tick(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    anna = await make_client(app, OWNER_ID, "Anna Lee")
    bob = await make_client(app, OWNER_ID, "Bob Stone")
    manager = await join(705, "manager", "Mark", language_code="en")
    carl = await make_client(app, 705, "Carl Wood")
    await owner_en.send("/help")
    await app.ticker.tick()  # what joining left
    before = await written(app, OWNER_ID)
    with statements(app) as seen:
        for name in ("Anna Lee", "Bob Stone"):
            [card] = await owner_en.send(f"/find {name}")
            assert name in card.text
        [card] = await manager.send("/find Carl Wood")
        assert "Carl Wood" in card.text
    assert writes(seen) == []
    assert (await member(app, OWNER_ID)).open_client_id == bob.id  # the process sees it
    assert await written(app, OWNER_ID) == before  # the database does not, yet
    assert app.crm.member_cache.open_cards.waiting == 2

    with statements(app) as seen:
        await app.ticker.tick()
    updates = [s for s in writes(seen) if s.startswith("UPDATE users")]
    assert len(updates) == 1  # both members' cards by one statement (executemany)
    if app.engine.dialect.name == "sqlite":
        assert begins(seen) == ["BEGIN IMMEDIATE"]  # in one write transaction
    assert await written(app, OWNER_ID) == (bob.id, None)
    assert await written(app, 705) == (carl.id, None)
    assert app.crm.member_cache.open_cards.waiting == 0
    with statements(app) as seen:  # nothing left: the next tick writes nothing
        await app.ticker.tick()
    assert writes(seen) == []
    assert anna.id != bob.id


async def test_a_kept_card_is_the_members_when_their_row_is_read_again(
    app: App, owner_en: SimulatedUser
) -> None:
    """Another change to members' rows drops the process's copies: the row read again
    is as written before, and the card kept since is put on it."""
    await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.send("/find Anna Lee")
    async with app.engine.begin() as conn:
        await conn.execute(
            text("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = :id"), {"id": OWNER_ID}
        )
    with statements(app) as seen:
        [done] = await owner_en.send("Called, will order next week")
    assert [s for s in seen if "FROM users" in s]  # read again
    assert "Anna Lee" in done.text
    [card] = await owner_en.send("/find Anna Lee")
    assert "Called, will order next week" in card.text


async def test_the_bot_writes_the_kept_cards_when_it_stops(
    database_url: str, clock: ManualClock
) -> None:
    app = build_app(make_settings(database_url), session=OfflineSession(), clock=clock)
    await prepare_database(app)
    try:
        owner = SimulatedUser(app.dispatcher, app.bot, OWNER_ID, first_name="Olga")
        await owner.send("/start")
        anna = await make_client(app, OWNER_ID, "Anna Lee")
        await owner.send("/find Anna Lee")
    finally:
        await app.close()
    app = build_app(make_settings(database_url), session=OfflineSession(), clock=clock)
    try:
        assert await written(app, OWNER_ID) == (anna.id, None)
    finally:
        await app.close()


async def test_a_failed_write_keeps_the_cards_for_the_next_tick(
    app: App,
    owner_en: SimulatedUser,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    anna = await make_client(app, OWNER_ID, "Anna Lee")
    bob = await make_client(app, OWNER_ID, "Bob Stone")
    await owner_en.send("/help")
    await app.ticker.tick()
    before = await written(app, OWNER_ID)
    await owner_en.send("/find Anna Lee")

    async def locked(*_args: Any) -> None:
        raise OperationalError("UPDATE users …", {}, sqlite3.OperationalError("locked"))

    monkeypatch.setattr(open_cards_module, "write_rows", locked)
    await app.ticker.tick()
    assert "the open cards of 1 members were not written" in caplog.text
    assert await written(app, OWNER_ID) == before
    assert (await member(app, OWNER_ID)).open_client_id == anna.id  # still kept
    monkeypatch.undo()
    await app.ticker.tick()
    assert await written(app, OWNER_ID) == (anna.id, None)

    # Another card opened while a write that fails is under way: that one is written.
    await owner_en.send("/find Bob Stone")

    async def locked_meanwhile(*_args: Any) -> None:
        await owner_en.send("/find Anna Lee")  # another update, during the write
        await locked()

    monkeypatch.setattr(open_cards_module, "write_rows", locked_meanwhile)
    await app.ticker.tick()
    monkeypatch.undo()
    assert (await member(app, OWNER_ID)).open_client_id == anna.id
    await app.ticker.tick()
    assert await written(app, OWNER_ID) == (anna.id, None)
    assert bob.id != anna.id


async def test_with_several_instances_nothing_is_kept(several: App) -> None:
    owner = SimulatedUser(several.dispatcher, several.bot, OWNER_ID, first_name="Olga")
    await owner.send("/start")
    anna = await make_client(several, OWNER_ID, "Anna Lee")
    with statements(several) as seen:
        await owner.send("/find Anna Lee")
    assert [s for s in writes(seen) if s.startswith("UPDATE users")]
    assert await written(several, OWNER_ID) == (anna.id, None)
    assert several.crm.member_cache.open_cards.waiting == 0


async def test_a_member_loaded_or_loaded_again_carries_the_kept_card(
    app: App, owner_en: SimulatedUser
) -> None:
    """Whatever reads the row (a query, ``populate_existing``, a refresh after a rollback),
    the member object has the card kept for them, not the row's older one."""
    anna = await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.send("/find Anna Lee")
    assert await written(app, OWNER_ID) != (anna.id, None)
    async with app.crm.open() as crm:
        session = crm._session
        [loaded] = (await session.scalars(select(User).where(User.id == OWNER_ID))).all()
        assert loaded.open_client_id == anna.id
        again = await session.get(User, OWNER_ID, populate_existing=True)
        assert again is loaded and again.open_client_id == anna.id
        await session.refresh(loaded)
        assert loaded.open_client_id == anna.id


async def test_removing_clients_closes_the_kept_cards(app: App, owner_en: SimulatedUser) -> None:
    """A kept card may be the client removed, and the database's foreign key clears only
    what it holds: on SQLite the next client created may take the removed one's id, and a
    note would be filed there. Every kept card is closed instead: text is a search."""
    anna = await make_client(app, OWNER_ID, "Anna Lee")  # the newest client
    await owner_en.send("/find Anna Lee")
    async with app.crm.open() as crm:  # another member deletes it
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_edits.delete(owner, anna.id)
    zoe = await make_client(app, OWNER_ID, "Zoe Park")
    assert (await member(app, OWNER_ID)).open_client_id is None
    [answer] = await owner_en.send("Zoe")
    assert "Comment added" not in answer.text and "Zoe Park" in answer.text  # a search
    await app.ticker.tick()  # the search found one client and opened the card
    assert await written(app, OWNER_ID) == (zoe.id, None)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        card = await crm.client_queries.card(owner, zoe.id)
    assert not [e for e in card.events if e.kind == "comment"]


async def test_a_card_read_before_clients_are_removed_is_kept_closed(
    app: App, owner_en: SimulatedUser
) -> None:
    """A card is kept once its update's answer is out. Clients removed meanwhile by
    another update, after the card was read and before it is kept, may include it:
    it is kept closed, and what the member sends next is a search."""
    anna = await make_client(app, OWNER_ID, "Anna Lee")  # the newest client
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_queries.card(owner, anna.id)  # read (as card_screen does) …
        async with app.crm.open() as other:  # … another update deletes it meanwhile …
            someone = await other.members.get_active(OWNER_ID)
            assert someone is not None
            await other.client_edits.delete(someone, anna.id)
        await crm.timeline.open_card(owner, anna.id)  # … and it is opened
    await crm.after_answer()  # as AfterAnswer runs it: the session is closed
    assert (await member(app, OWNER_ID)).open_client_id is None
    await make_client(app, OWNER_ID, "Zoe Park")  # on SQLite it may take Anna's id
    [answer] = await owner_en.send("Zoe")
    assert "Comment added" not in answer.text and "Zoe Park" in answer.text  # a search


async def test_a_card_opened_during_a_write_is_the_members_and_written_next(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = await make_client(app, OWNER_ID, "Anna Lee")
    bob = await make_client(app, OWNER_ID, "Bob Stone")
    await owner_en.send("/find Anna Lee")
    write_rows = open_cards_module.write_rows

    async def opening_meanwhile(*args: Any) -> None:
        await owner_en.send("/find Bob Stone")  # another update, during the write
        assert (await member(app, OWNER_ID)).open_client_id == bob.id  # the newest
        await write_rows(*args)

    monkeypatch.setattr(open_cards_module, "write_rows", opening_meanwhile)
    await app.ticker.tick()
    monkeypatch.undo()
    assert await written(app, OWNER_ID) == (anna.id, None)
    assert (await member(app, OWNER_ID)).open_client_id == bob.id
    await app.ticker.tick()
    assert await written(app, OWNER_ID) == (bob.id, None)


async def test_a_write_cut_short_keeps_the_cards_and_stopping_waits_for_one(
    app: App, owner_en: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.send("/find Anna Lee")
    cards = app.crm.member_cache.open_cards
    write_rows = open_cards_module.write_rows
    started = asyncio.Event()

    async def slow(*args: Any) -> None:
        started.set()
        await asyncio.sleep(0.2)
        await write_rows(*args)

    monkeypatch.setattr(open_cards_module, "write_rows", slow)
    tick = asyncio.create_task(cards.write())
    await started.wait()
    tick.cancel()  # as the scheduler's shutdown cancels a tick under way
    with pytest.raises(asyncio.CancelledError):
        await tick
    assert cards.waiting == 1  # kept for the next write
    assert (await member(app, OWNER_ID)).open_client_id == anna.id

    started.clear()
    tick = asyncio.create_task(cards.write())
    await started.wait()
    assert await cards.write() == 0  # a tick during a write leaves it to the next
    await owner_en.send("/help")  # closes the card: kept during the write
    assert await cards.write(wait=True) == 1  # the bot stopping waits, then writes it
    assert await tick == 1
    assert await written(app, OWNER_ID) == (None, None)


async def test_deleting_a_record_closes_the_kept_cards(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A record's card kept open (``users.open_record_id``) is closed when records are
    deleted, as a client's or a deal's is: the database's foreign key clears only the card
    it holds, and the one kept in the process would have taken the next file."""
    from tests.test_record_card_files import open_record, suppliers_with

    mila = await join(5301, "admin", "Mila", language_code="en")
    _type, [acme] = await suppliers_with(app, "Acme")
    await open_record(mila, acme.id)
    assert (await member(app, 5301)).open_record_id == acme.id
    async with app.crm.open() as crm:  # the owner deletes it
        await crm.records.delete(await member(app, OWNER_ID), acme.id)
    assert (await member(app, 5301)).open_record_id is None
    [answer] = await mila.send_document("contract.pdf", "application/pdf")
    assert answer.text.startswith("Open a card first")
    await app.ticker.tick()
    async with app.engine.connect() as conn:
        row = await conn.execute(text("SELECT open_record_id FROM users WHERE id = 5301"))
        assert row.scalar_one() is None
