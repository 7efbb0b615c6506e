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
from bot.simulator import SimulatedUser
from bot.startup import announce_setup_code, prepare_database
from crm.clock import ManualClock
from crm.setup_codes import SETUP_CODE_KEY, setup_code_key
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
    """Both start, and the other's code still works after this one logged its own."""
    settings = make_settings(database_url, owner_ids=())
    app = build_app(settings, session=OfflineSession(), clock=clock)
    others = "the-other-instances-code"
    try:
        await prepare_database(app)
        async with seeding(app.engine), app.engine.connect() as other:
            await other.execute(
                insert(AppSetting).values(
                    key=setup_code_key(others), value={"issued_at": clock.now().isoformat()}
                )
            )
            starting = asyncio.create_task(announce_setup_code(app, "kartoteka_bot"))
            await asyncio.sleep(0.3)
            assert not starting.done()
            await other.commit()
        await starting
        async with app.engine.connect() as conn:
            keys = await conn.scalars(
                select(AppSetting.key).where(AppSetting.key.startswith(SETUP_CODE_KEY))
            )
            assert len(set(keys)) == 2  # the other's and this one's
        person = SimulatedUser(app.dispatcher, app.bot, 5, language_code="ru")
        replies = await person.send(f"/start {others}")
        assert replies[0].text == "Теперь вы владелец этой Картотеки."
    finally:
        await app.close()
