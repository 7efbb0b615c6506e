"""The members' rows kept in the process (crm/member_cache.py): an update of a
member whose row nothing changed reads nothing, and every change made through
the process is seen by the next update.

Runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import text

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from bot.startup import prepare_database
from crm.clock import ManualClock
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, make_settings
from tests.test_idle_tick import statements


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
    await owner_en.send("/help")  # the copy kept, with the open card
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
        before = await member(app, OWNER_ID)  # read beside the change: used, not kept
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


async def test_with_several_instances_every_update_reads_its_member(
    database_url: str, clock: ManualClock
) -> None:
    several = build_app(
        make_settings(database_url, instances=2), session=OfflineSession(), clock=clock
    )
    try:
        await prepare_database(several)
        owner = SimulatedUser(several.dispatcher, several.bot, OWNER_ID, first_name="Olga")
        await owner.send("/start")
        for _ in range(2):
            with statements(several) as seen:
                await owner.send("/help")
            assert len(member_reads(seen)) == 1
    finally:
        await several.close()
