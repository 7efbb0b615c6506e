"""From a search to a card: what it costs the database.

Finding a card again writes nothing; the team's settings are read once per
process and dropped when changed (by this process at once, by another one
once the copy is older than its max age). The open card: with one instance
kept in the process and written by the clock's tick (tests/test_open_cards.py);
with several, written once the card is out (here). SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMessage
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from bot.app import App
from bot.simulator import SimulatedUser
from crm import timeline as timeline_module
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.service import CrmFactory
from crm.team_settings import SettingsCache
from storage.engine import create_session_factory
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_deal_card import make_deal
from tests.test_idle_tick import statements, writes


@pytest.fixture
async def owner_of_several(several: App) -> SimulatedUser:
    async with several.crm.open() as crm:
        member = await crm.members.get_active(OWNER_ID)
        assert member is not None
        await crm.members.set_language(member, "en")
    return SimulatedUser(several.dispatcher, several.bot, OWNER_ID, first_name="Olga")


def settings_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "FROM app_settings" in s]


async def test_finding_the_open_card_again_writes_nothing(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")
    await make_client(app, OWNER_ID, "Anna Lee", phones=("+79161234567",))
    [card] = await owner_en.send("/find Anna Lee")
    assert "Anna Lee" in card.text
    opened = await member(app, OWNER_ID)
    assert opened.open_client_id is not None

    for _ in range(2):
        with statements(app) as seen:
            [again] = await owner_en.send("/find Anna Lee")
        assert again.text == card.text
        assert writes(seen) == []
        assert settings_reads(seen) == []  # kept in the process

    # Long enough after, the opening time changes (the comment window follows it): kept
    # now, written by the clock's next tick (crm/open_cards.py).
    clock.advance(timedelta(minutes=2))
    with statements(app) as seen:
        await owner_en.send("/find Anna Lee")
    assert writes(seen) == []
    assert (await member(app, OWNER_ID)).open_client_at == clock.now()
    with statements(app) as seen:
        await app.ticker.tick()
    assert [s for s in writes(seen) if s.startswith("UPDATE users")]
    # And plain text still goes to that card as a comment.
    await owner_en.send("Called, she asks for a discount")
    [timeline] = await owner_en.send("/find Anna Lee")
    assert "Called, she asks for a discount" in timeline.text


async def test_a_changed_setting_is_seen_at_once_by_this_process(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/start")
    owner = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        assert not await crm.settings.managers_see_all()
        await crm.settings.set_managers_see_all(owner, True)
    async with app.crm.open() as crm:
        assert await crm.settings.managers_see_all()
        renamed = await crm.settings.add_status(owner, "Партнёр")
    async with app.crm.open() as crm:
        assert renamed in await crm.settings.statuses()


async def test_another_instance_sees_a_change_once_its_copy_is_old(
    app: App, owner_en: SimulatedUser, clock: ManualClock
) -> None:
    await owner_en.send("/start")
    owner = await member(app, OWNER_ID)
    now = [100.0]
    other = CrmFactory(create_session_factory(app.engine), clock, CrmConfig())
    other.settings_cache = SettingsCache(max_age=5.0, monotonic=lambda: now[0])
    async with other.open() as crm:
        assert not await crm.settings.managers_see_all()  # read and kept
    async with app.crm.open() as crm:
        await crm.settings.set_managers_see_all(owner, True)
    now[0] += 4.0
    with statements(app) as seen:
        async with other.open() as crm:
            assert not await crm.settings.managers_see_all()  # its copy, still young
    assert settings_reads(seen) == []
    now[0] += 1.5
    async with other.open() as crm:
        assert await crm.settings.managers_see_all()


@contextlib.contextmanager
def requests_and_statements(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The Bot API methods called and the statements' first words, in their order."""
    session = app.bot.session
    order: list[str] = []
    request = session.make_request

    async def recorded(bot: Any, method: Any, **kwargs: Any) -> Any:
        order.append(type(method).__name__)
        return await request(bot, method, **kwargs)

    def sql(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        order.append(statement.strip().split()[0].upper())

    monkeypatch.setattr(session, "make_request", recorded)
    event.listen(app.engine.sync_engine, "before_cursor_execute", sql)
    try:
        yield order
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", sql)


async def test_the_open_card_is_written_once_the_card_is_out(
    several: App, owner_of_several: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await owner_of_several.send("/start")
    await make_client(several, OWNER_ID, "Anna Lee", phones=("+79161234567",))
    with requests_and_statements(several, monkeypatch) as order:
        [card] = await owner_of_several.send("/find Anna Lee")
    assert "Anna Lee" in card.text
    # The card is sent first, then the member's open card is written.
    assert order.index("SendMessage") < order.index("UPDATE")
    assert (await member(several, OWNER_ID)).open_client_id is not None


async def test_a_press_is_answered_before_the_open_card_is_written(
    several: App, owner_of_several: SimulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spinner stops once the card is shown, not after the write."""
    await owner_of_several.send("/start")
    anna = await make_client(several, OWNER_ID, "Anna Lee")
    await make_client(several, OWNER_ID, "Anna Kim")
    [found] = await owner_of_several.send("/find Anna")
    with requests_and_statements(several, monkeypatch) as order:
        [card] = await owner_of_several.press("Anna Lee", found)
    assert "Anna Lee" in card.text
    assert order.index("EditMessageText") < order.index("AnswerCallbackQuery")
    assert order.index("AnswerCallbackQuery") < order.index("UPDATE")
    assert (await member(several, OWNER_ID)).open_client_id == anna.id


async def test_a_card_that_could_not_be_sent_is_not_left_open(
    app: App, owner_en: SimulatedUser
) -> None:
    """The open card stays the last one the member saw."""
    await owner_en.send("/start")
    await make_client(app, OWNER_ID, "Anna Lee", phones=("+79161234567",))
    seen = await make_client(app, OWNER_ID, "Boris Kim")
    failure = TelegramBadRequest(SendMessage(chat_id=OWNER_ID, text="…"), "chat not found")
    app.bot.session.answer_next(failure, SendMessage)  # type: ignore[attr-defined]
    with contextlib.suppress(TelegramBadRequest):
        await owner_en.send("/find Anna Lee")
    assert (await member(app, OWNER_ID)).open_client_id is None
    await owner_en.send("/find Boris Kim")
    app.bot.session.answer_next(failure, SendMessage)  # type: ignore[attr-defined]
    with contextlib.suppress(TelegramBadRequest):
        await owner_en.send("/find Anna Lee")
    assert (await member(app, OWNER_ID)).open_client_id == seen.id
    # Found again and shown, it is the open card.
    [card] = await owner_en.send("/find Anna Lee")
    assert "Anna Lee" in card.text
    assert (await member(app, OWNER_ID)).open_client_id not in (None, seen.id)


async def test_an_opened_card_is_open_at_once_and_remembered_after_the_answer(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/start")
    client = await make_client(app, OWNER_ID, "Anna Lee")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.timeline.open_card(owner, client.id)
        window = crm.config.card_context
        assert crm.timeline.open_client_id(owner, window) == client.id  # this update sees it
        assert crm.timeline.open_deal_id(owner, window) is None
        assert owner.open_client_id is None  # not written yet
        await crm.after_answer()
        assert owner.open_client_id == client.id
    assert (await member(app, OWNER_ID)).open_client_id == client.id
    # Closed in the same update after opening: nothing is left to write.
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.timeline.close_card(owner)
        await crm.timeline.open_card(owner, client.id)
        await crm.timeline.close_card(owner)
        await crm.after_answer()
    assert (await member(app, OWNER_ID)).open_client_id is None


async def test_remembering_the_open_card_takes_no_second_connection(
    several: App, owner_of_several: SimulatedUser
) -> None:
    """The update's own connection is given back first: many updates at once cannot
    run the pool dry waiting for a second one each."""
    await owner_of_several.send("/start")
    client = await make_client(several, OWNER_ID, "Anna Lee")
    pool = several.engine.sync_engine.pool
    most = [0]

    def checked_out(*_args: Any) -> None:
        most[0] = max(most[0], pool.checkedout())  # type: ignore[attr-defined]

    async with several.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.client_queries.card(owner, client.id)  # a read: the session holds one
        await crm.timeline.open_card(owner, client.id)
        event.listen(pool, "checkout", checked_out)
        try:
            await crm.after_answer()
        finally:
            event.remove(pool, "checkout", checked_out)
    assert most[0] == 1
    assert (await member(several, OWNER_ID)).open_client_id == client.id


async def test_a_deal_card_opened_is_written_with_its_deal(
    app: App, owner_en: SimulatedUser
) -> None:
    await owner_en.send("/start")
    client = await make_client(app, OWNER_ID, "Anna Lee")
    deal = await make_deal(app, client.id)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.timeline.open_card(owner, client.id, deal.id)
        window = crm.config.card_context
        assert crm.timeline.open_deal_id(owner, window) == deal.id  # this update sees it
        await crm.after_answer()
    opened = await member(app, OWNER_ID)
    assert (opened.open_client_id, opened.open_deal_id) == (client.id, deal.id)
    await app.ticker.tick()  # and so the database, once written behind
    async with app.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT open_client_id, open_deal_id FROM users WHERE id = :id"),
            {"id": OWNER_ID},
        )
        assert tuple(row.one()) == (client.id, deal.id)


async def test_a_card_deleted_before_it_is_remembered_is_no_open_card(
    several: App, owner_of_several: SimulatedUser
) -> None:
    await owner_of_several.send("/start")
    kept = await make_client(several, OWNER_ID, "Anna Lee")
    gone = await make_client(several, OWNER_ID, "Boris Kim")
    await owner_of_several.send("/find Anna Lee")
    assert (await member(several, OWNER_ID)).open_client_id == kept.id
    async with several.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.timeline.open_card(owner, gone.id)
        async with several.crm.open() as other:  # another member deletes it meanwhile
            await other.client_edits.delete(owner, gone.id)
        await crm.after_answer()  # no foreign key error
    assert (await member(several, OWNER_ID)).open_client_id is None


async def test_a_failed_write_of_the_open_card_is_logged_not_raised(
    several: App,
    owner_of_several: SimulatedUser,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await owner_of_several.send("/start")
    kept = await make_client(several, OWNER_ID, "Anna Lee")
    other = await make_client(several, OWNER_ID, "Boris Kim")
    await owner_of_several.send("/find Anna Lee")

    async def locked(*_args: Any) -> None:
        raise OperationalError("UPDATE users …", {}, sqlite3.OperationalError("locked"))

    monkeypatch.setattr(timeline_module, "write_row", locked)
    [card] = await owner_of_several.send("/find Boris Kim")
    assert "Boris Kim" in card.text
    assert "the open card of member" in caplog.text
    assert (await member(several, OWNER_ID)).open_client_id == kept.id != other.id
