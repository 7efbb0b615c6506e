"""Several instances starting at once on a new database make the configured owners, the
default pipeline and the setup code once, and all of them start.

Another instance is played by a second connection that is making them (in the start-up's
``storage.migrate.seeding``, as every instance does) and has not committed yet while this
one starts in a task. On PostgreSQL this one read them as missing and made them too: the
owner's row and the setup code failed with a unique violation (the instance did not
start), the pipeline was made twice. On SQLite it waits for the write lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.startup import announce_setup_code, prepare_database
from crm.clock import ManualClock
from crm.members import SETUP_CODE_KEY
from storage.migrate import seeding
from storage.models import AppSetting, Pipeline, User
from tests.conftest import OWNER_ID, make_settings


@pytest.fixture
async def unstarted(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    """An instance built on a migrated, empty database, before its start-up."""
    app = build_app(make_settings(database_url), session=OfflineSession(), clock=clock)
    yield app
    await app.close()


async def count(app: App, model: type[User] | type[Pipeline]) -> int:
    async with app.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("owner_made", [True, False], ids=["owner and pipeline", "pipeline"])
async def test_two_instances_starting_at_once_make_one_owner_and_one_pipeline(
    unstarted: App, owner_made: bool
) -> None:
    now = datetime.now(UTC)
    async with seeding(unstarted.engine), unstarted.engine.connect() as other:
        if owner_made:  # else this one makes the owner, and only the pipeline is the other's
            await other.execute(
                insert(User)
                .values(id=OWNER_ID, full_name="", role="owner", active=True, language="ru")
                .values(timezone="Europe/Moscow", created_at=now)
            )
        await other.execute(insert(Pipeline).values(name=None, position=0))
        starting = asyncio.create_task(prepare_database(unstarted))
        await asyncio.sleep(0.3)
        assert not starting.done()  # it waits for the other's start-up
        await other.commit()
    await starting
    assert (await count(unstarted, User), await count(unstarted, Pipeline)) == (1, 1)


async def test_two_instances_without_an_owner_starting_at_once_both_start(
    database_url: str, clock: ManualClock
) -> None:
    settings = make_settings(database_url, owner_ids=())
    app = build_app(settings, session=OfflineSession(), clock=clock)
    try:
        await prepare_database(app)
        async with seeding(app.engine), app.engine.connect() as other:
            await other.execute(
                insert(AppSetting).values(key=SETUP_CODE_KEY, value={"hash": "the other's"})
            )
            starting = asyncio.create_task(announce_setup_code(app, "kartoteka_bot"))
            await asyncio.sleep(0.3)
            assert not starting.done()
            await other.commit()
        await starting  # its code replaces the other's, as when started one after the other
        async with app.engine.connect() as conn:
            value = await conn.scalar(
                select(AppSetting.value).where(AppSetting.key == SETUP_CODE_KEY)
            )
        assert value is not None and value["hash"] != "the other's"
    finally:
        await app.close()
