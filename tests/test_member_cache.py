"""The members' rows kept in the process (crm/member_cache.py): an update of a
member whose row nothing changed reads nothing, and every change made through
the process is seen by the next update.

Runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.util import await_only

from bot.app import App
from bot.simulator import SimulatedUser
from crm.member_cache import MemberCache, changes_members
from storage.engine import create_session_factory
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner
from tests.test_idle_tick import statements


@pytest.mark.parametrize(
    ("statement", "changes"),
    [
        ("SELECT users.id FROM users WHERE users.id = ?", False),
        ("UPDATE users SET open_client_id=? WHERE users.id = ?", True),
        ('INSERT INTO "users" (id, role) VALUES (?, ?)', True),
        ("update main.users set active = 0", True),
        ("WITH gone AS (SELECT 1) UPDATE users SET active = false", True),
        ("DELETE FROM clients WHERE clients.id = ?", True),
        ("DELETE FROM deals WHERE deals.client_id IN (?)", True),
        ("DELETE FROM records WHERE records.id = ?", True),
        ("DELETE FROM field_values WHERE field_values.record_id = ?", False),
        ("REPLACE INTO clients (id, name) VALUES (?, ?)", True),
        ("TRUNCATE public.deals CASCADE", True),
        ("UPDATE clients SET name=? WHERE clients.id = ?", False),
        ("DELETE FROM client_phones WHERE client_phones.client_id = ?", False),
        ("INSERT INTO events (actor_id, kind) VALUES (?, ?)", False),
        ("INSERT INTO clients_fts(clients_fts, rowid) VALUES('delete', ?)", False),
        ("BEGIN IMMEDIATE", False),
    ],
)
def test_which_statements_may_change_a_members_row(statement: str, changes: bool) -> None:
    assert changes_members(statement) is changes


def member_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM users" in s]


async def test_a_menu_command_of_a_known_member_runs_no_statement(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/help")  # their name from Telegram is stored: the copy dropped
    await owner_en.send("/help")  # read and kept
    with statements(app) as seen:
        [reply] = await owner_en.send("/help")
    assert "/find" in reply.text
    assert seen == []


async def test_a_change_of_a_members_row_is_seen_by_their_next_update(
    app: App, owner_en: SimulatedUser
) -> None:
    [english] = await owner_en.send("/help")
    async with app.crm.open() as crm:  # as the language screen does, through this process
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_language(owner, "ru")
    with statements(app) as seen:
        [russian] = await owner_en.send("/help")
    assert russian.text != english.text
    assert len(member_reads(seen)) == 1  # the copy was dropped: read again


async def test_deleting_the_open_card_is_seen_by_the_next_update(
    app: App, owner_en: SimulatedUser
) -> None:
    client = await make_client(app, OWNER_ID, "Заречный Пётр")
    await owner_en.send("/find Заречный Пётр")
    assert (await member(app, OWNER_ID)).open_client_id == client.id
    await app.ticker.tick()  # the open card written (crm/open_cards.py)
    with statements(app) as seen:
        await owner_en.send("/find Заречный Пётр")
    assert len(member_reads(seen)) == 1  # the copy kept, with the open card
    with statements(app) as seen:
        assert (await member(app, OWNER_ID)).open_client_id == client.id
    assert member_reads(seen) == []
    async with app.engine.begin() as conn:  # the foreign key clears the open card
        await conn.execute(text("DELETE FROM clients WHERE id = :id"), {"id": client.id})
    with statements(app) as seen:
        fresh = await member(app, OWNER_ID)
    assert len(member_reads(seen)) == 1
    assert fresh.open_client_id is None


async def test_a_row_read_while_a_change_is_under_way_is_not_kept(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/help")
    async with app.engine.connect() as conn:
        await conn.execute(
            text("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = :id"), {"id": OWNER_ID}
        )
        before = await member(app, OWNER_ID)  # read beside the change: used, never kept
        assert before.timezone != "Asia/Tokyo"
        await conn.commit()
    with statements(app) as seen:
        after = await member(app, OWNER_ID)
    assert len(member_reads(seen)) == 1
    assert after.timezone == "Asia/Tokyo"
    with statements(app) as seen:  # and now it is kept
        assert (await member(app, OWNER_ID)).timezone == "Asia/Tokyo"
    assert member_reads(seen) == []


async def test_a_row_read_in_an_older_transaction_is_not_kept(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/help")
    async with app.crm.open() as crm:
        assert await crm.members.active_owner_ids() == [OWNER_ID]  # its snapshot begins
        async with app.engine.begin() as conn:
            await conn.execute(
                text("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = :id"), {"id": OWNER_ID}
            )
        await crm.members.get_active(OWNER_ID)  # on SQLite, the row as it was: not kept
    assert (await member(app, OWNER_ID)).timezone == "Asia/Tokyo"


async def test_with_several_instances_every_update_reads_its_member(several: App) -> None:
    owner = SimulatedUser(several.dispatcher, several.bot, OWNER_ID, first_name="Olga")
    await owner.send("/start")
    for _ in range(2):
        with statements(several) as seen:
            await owner.send("/help")
        assert len(member_reads(seen)) == 1


async def test_a_demoted_admin_is_refused_at_their_next_update(
    app: App, owner: SimulatedUser, join: Joiner
) -> None:
    admin = await join(703, "admin", "Алла")
    await admin.send("/team")
    [reply] = await admin.send("/team")  # answered from the copy of their row
    assert "только владелец" not in reply.text
    async with app.crm.open() as crm:
        owner_row = await crm.members.get_active(OWNER_ID)
        assert owner_row is not None
        await crm.members.change_role(owner_row, 703, "manager")
    [reply] = await admin.send("/team")
    assert reply.text == "Управлять командой могут только владелец и администраторы."


async def test_a_read_while_a_commit_is_on_its_way_is_not_kept(
    app: App, owner: SimulatedUser, join: Joiner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLAlchemy's commit event comes before the COMMIT reaches the database: a member's
    update that reads their row then sees it unchanged, and must not keep it."""
    manager = await join(704, "manager", "Марк")
    await manager.send("/help")
    async with app.engine.connect() as conn:
        adapted = type((await conn.get_raw_connection()).dbapi_connection)
    commit = adapted.commit
    readers: list[asyncio.Task[Any]] = []

    def slow_commit(self: Any) -> Any:
        if readers:  # the COMMIT on its way: the member's update reads meanwhile
            await_only(asyncio.wait([readers[0]]))
        return commit(self)

    monkeypatch.setattr(adapted, "commit", slow_commit)

    deactivating: list[Any] = []

    def sent(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("UPDATE users SET active"):
            deactivating.append(conn.connection.dbapi_connection)

    def committing(conn: Any) -> None:
        if not readers and conn.connection.dbapi_connection in deactivating:
            readers.append(asyncio.get_running_loop().create_task(member_or_none(app, 704)))

    sync_engine = app.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", sent)
    event.listen(sync_engine, "commit", committing)
    try:
        async with app.crm.open() as crm:
            owner_row = await crm.members.get_active(OWNER_ID)
            assert owner_row is not None
            await crm.members.set_active(owner_row, 704, False)
    finally:
        event.remove(sync_engine, "commit", committing)
        event.remove(sync_engine, "before_cursor_execute", sent)
    assert readers and readers[0].done()
    assert readers[0].result() is not None  # read while the COMMIT was on its way: as it was
    assert await member_or_none(app, 704) is None
    [reply] = await manager.send("/help")
    assert reply.text == "Это закрытая CRM. Попросите её владельца о приглашении."


async def member_or_none(app: App, user_id: int) -> object:
    async with app.crm.open() as crm:
        return await crm.members.get_active(user_id)


async def test_a_row_read_while_a_change_came_and_went_is_not_kept(
    app: App, owner_en: SimulatedUser
) -> None:
    """The row read, then (before it is kept) another update changes and commits it."""
    await owner_en.send("/help")
    app.crm.member_cache.drop()
    changed: list[bool] = []

    async def change() -> None:
        async with app.engine.begin() as conn:
            await conn.execute(
                text("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = :id"), {"id": OWNER_ID}
            )

    def read(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT") and "FROM users" in statement and not changed:
            changed.append(True)
            await_only(change())  # the rows are fetched already: as they were

    event.listen(app.engine.sync_engine, "after_cursor_execute", read)
    try:
        before = await member(app, OWNER_ID)
    finally:
        event.remove(app.engine.sync_engine, "after_cursor_execute", read)
    assert changed and before.timezone != "Asia/Tokyo"
    assert (await member(app, OWNER_ID)).timezone == "Asia/Tokyo"


async def test_a_row_the_session_already_held_is_not_kept(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/help")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.members.set_language(owner, "ru")  # a transaction of the session ends
        async with app.engine.begin() as conn:
            await conn.execute(
                text("UPDATE users SET timezone = 'Asia/Tokyo' WHERE id = :id"), {"id": OWNER_ID}
            )
        # The session still holds the row as it had it: returned to it, and not kept.
        held = await crm.members.get_active(OWNER_ID)
        assert held is owner
    assert (await member(app, OWNER_ID)).timezone == "Asia/Tokyo"


async def test_a_copy_older_than_its_age_is_read_again(app: App, owner_en: SimulatedUser) -> None:
    now = [0.0]
    cache = MemberCache(monotonic=lambda: now[0])
    cache.enable(app.engine, max_age=60)
    sessions = create_session_factory(app.engine)
    for advance, reads in ((0, 1), (30, 0), (31, 1), (1, 0)):
        now[0] += advance
        with statements(app) as seen:
            async with sessions() as session:
                assert await cache.get_active(session, OWNER_ID) is not None
        assert len(member_reads(seen)) == reads, (advance, seen)
