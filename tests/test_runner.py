"""The bot's run loop in this process: long polling or the webhook, the HTTP server beside
it, and a stop that finishes what was started."""

from __future__ import annotations

import asyncio
import gc
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

import aiohttp
import aiohttp.web
import pytest
from aiogram import Bot
from aiogram.methods import GetUpdates, SendMessage, TelegramMethod
from aiogram.types import Update
from sqlalchemy import select

from bot.app import App, build_app
from bot.guards import SetupError
from bot.i18n import build_i18n
from bot.offline import OfflineSession
from bot.runner import serve
from bot.startup import prepare_database
from bot.updates import LocalUpdateQueue, UpdateRunner
from bot.web.server import WebServer
from bot.web.webhook import SECRET_HEADER
from crm.outbox import OutboxKind, enqueue
from storage.engine import create_session_factory, write_transaction
from storage.models import OutboxMessage
from tests import databases
from tests.cluster import free_port, message_update, wait_until
from tests.conftest import OWNER_ID, make_settings

T = TypeVar("T")
MEMBERS = 10_000  # the chats a backlog goes to


class PollingSession(OfflineSession):
    """Telegram's long poll waits for updates; one that answers at once would starve the loop."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[T],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> T:
        if isinstance(method, GetUpdates):
            await asyncio.sleep(0.05)
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return databases.sqlite_copy(sqlite_template, tmp_path)


async def started(app: App) -> tuple[asyncio.Task[None], asyncio.Event]:
    await prepare_database(app)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, "kartoteka_bot", stop))
    return task, stop


@pytest.fixture
async def polling_app(sqlite_url: str) -> AsyncIterator[App]:
    port = free_port()
    app = build_app(make_settings(sqlite_url, web_port=port), session=PollingSession())
    yield app
    await app.close()


@pytest.fixture
async def webhook_app(sqlite_url: str) -> AsyncIterator[App]:
    settings = make_settings(
        sqlite_url,
        web_port=free_port(),
        webhook_url="https://bot.example.com/telegram/webhook",
        webhook_secret="runner-secret",
    )
    app = build_app(settings, session=OfflineSession())
    yield app
    await app.close()


async def test_long_polling_with_the_http_server_and_a_clean_stop(polling_app: App) -> None:
    session = polling_app.bot.session
    assert isinstance(session, OfflineSession)
    task, stop = await started(polling_app)
    url = f"http://127.0.0.1:{polling_app.settings.web_port}"
    async with aiohttp.ClientSession() as http:
        assert await wait_until(
            lambda: any(isinstance(r, GetUpdates) for r in session.requests), 10
        )
        async with http.get(f"{url}/healthz") as answer:
            assert answer.status == 200
        async with http.get(f"{url}/metrics") as answer:
            assert "kartoteka_updates_total" in await answer.text()
        # What startup built is out of the collector's full passes while serving.
        assert gc.get_freeze_count() > 10_000
        stop.set()
        await asyncio.wait_for(task, 30)
        with pytest.raises(aiohttp.ClientError):  # the port is closed
            await http.get(f"{url}/healthz")
    assert gc.get_freeze_count() == 0


async def test_webhook_mode_handles_posted_updates_and_stops_taking_them(webhook_app: App) -> None:
    session = webhook_app.bot.session
    assert isinstance(session, OfflineSession)
    task, stop = await started(webhook_app)
    url = f"http://127.0.0.1:{webhook_app.settings.web_port}/telegram/webhook"
    headers = {SECRET_HEADER: "runner-secret"}
    async with aiohttp.ClientSession() as http:
        for _ in range(50):  # the server starts in the background
            try:
                async with http.post(
                    url, json=message_update(1, OWNER_ID, "/help"), headers=headers
                ) as answer:
                    assert answer.status == 200
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
        assert await wait_until(
            lambda: any(isinstance(r, SendMessage) for r in session.requests), 10
        )
        assert not any(isinstance(r, GetUpdates) for r in session.requests)  # no polling
        stop.set()
        await asyncio.wait_for(task, 30)
        with pytest.raises(aiohttp.ClientError):
            await http.post(url, json=message_update(2, OWNER_ID, "/help"), headers=headers)


async def test_serving_cancelled_leaves_nothing_frozen(polling_app: App) -> None:
    session = polling_app.bot.session
    assert isinstance(session, OfflineSession)
    task, _stop = await started(polling_app)
    assert await wait_until(lambda: any(isinstance(r, GetUpdates) for r in session.requests), 10)
    assert gc.get_freeze_count() > 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gc.get_freeze_count() == 0


class SentInOrder(PollingSession):
    """Notes each request as it is handed over (after the session's middlewares) and as its
    body is written: aiohttp writes a body in a task of its own before Python 3.12, as here."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []
        self._writes: set[asyncio.Task[None]] = set()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[T],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> T:
        name = type(method).__name__
        self.sent.append(name)
        write = asyncio.create_task(self._write(name))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)
        return await super().make_request(bot, method, timeout)

    async def _write(self, name: str) -> None:
        self.sent.append(f"{name} written")


async def test_the_answer_goes_before_the_next_poll(sqlite_url: str) -> None:
    """aiogram asks for more updates the moment it has handed the last ones to their tasks;
    the member's answer must not wait behind that request (``bot.polling.AnswersFirst``)."""
    session = SentInOrder()
    app = build_app(make_settings(sqlite_url), session=session)
    await prepare_database(app)
    # The member's row is known, as on any update but their first: no wait for the database.
    await app.dispatcher.feed_update(
        app.bot, Update.model_validate(message_update(1, OWNER_ID, "/help"))
    )
    session.answer_next([Update.model_validate(message_update(2, OWNER_ID, "/help"))], GetUpdates)
    polling = asyncio.create_task(
        app.dispatcher.start_polling(app.bot, handle_signals=False, close_bot_session=False)
    )
    try:
        assert await wait_until(lambda: session.sent.count("GetUpdates") >= 2, 10)
    finally:
        await app.dispatcher.stop_polling()
        await asyncio.wait_for(polling, 10)
        await app.close()
    polled = session.sent.index("GetUpdates", session.sent.index("GetUpdates") + 1)
    # The second update's answer was handed over and written before the poll after it.
    assert session.sent[polled - 3 : polled] == [
        "GetUpdates written",
        "SendMessage",
        "SendMessage written",
    ], session.sent
    answers = [r for r in session.requests if isinstance(r, SendMessage)]
    assert "/find" in answers[1].text


class SlowAnswers(PollingSession):
    """Its answers take a while: one is still on its way when the bot is told to stop."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: list[str] = []  # the texts whose sending finished

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[T],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> T:
        result = await super().make_request(bot, method, timeout)
        if isinstance(method, SendMessage):
            await asyncio.sleep(0.3)
            self.answered.append(method.text)
        return result


async def test_a_stop_lets_the_updates_under_way_finish(sqlite_url: str) -> None:
    """aiogram's polling stops without waiting for the updates it handed to tasks; the
    runner waits for them (within the shutdown time) before the app is closed."""
    session = SlowAnswers()
    app = build_app(make_settings(sqlite_url), session=session)
    try:
        task, stop = await started(app)
        session.answer_next(
            [Update.model_validate(message_update(1, OWNER_ID, "/help"))], GetUpdates
        )
        # /help's answer (it lists /find) on its way; the clock's tick may also send the
        # owner's digest, on a loaded machine.
        assert await wait_until(
            lambda: any(isinstance(r, SendMessage) and "/find" in r.text for r in session.requests),
            10,
        )
        stop.set()
        await asyncio.wait_for(task, 30)
        # The answer went out before serving ended.
        assert len([text for text in session.answered if "/find" in text]) == 1
    finally:
        await app.close()


async def test_a_stop_lets_an_update_waiting_for_its_chat_finish_too(sqlite_url: str) -> None:
    """Two messages of one chat in one poll: the second waits for the first to be
    handled (the chat's lock, taken by aiogram's FSM middleware), and a stop meanwhile
    waits for both answers, as for the first."""
    session = SlowAnswers()
    app = build_app(make_settings(sqlite_url), session=session)
    try:
        task, stop = await started(app)
        updates = [message_update(n, OWNER_ID, "/help") for n in (1, 2)]
        session.answer_next([Update.model_validate(u) for u in updates], GetUpdates)
        assert await wait_until(
            lambda: any(isinstance(r, SendMessage) and "/find" in r.text for r in session.requests),
            10,
        )
        stop.set()
        await asyncio.wait_for(task, 30)
        helps = [text for text in session.answered if text.startswith("Что я умею")]
        assert len(helps) == 2  # both answers went out before serving ended
    finally:
        await app.close()


async def test_a_stop_mid_backlog_leaves_no_message_claimed_for_minutes(sqlite_url: str) -> None:
    """Stopped while the outbox drains a backlog, the bot sends no more, and gives back
    what it claimed and has not sent: due at once for the instance that sends next,
    not held for its claim's two minutes."""
    session = PollingSession()
    settings = make_settings(
        sqlite_url, instance_name="a", outbox_poll_seconds=0.2, shutdown_seconds=5
    )
    app = build_app(settings, session=session)
    now = app.crm.clock.now()
    await prepare_database(app)
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        for number in range(400):  # some 13 s of sending at Telegram's 30 a second
            await enqueue(
                db,
                chat_id=MEMBERS + number,
                kind=OutboxKind.BOT_LEFT_GROUP,  # said to anyone: these are no members
                payload={"title": "Sales"},
                dedupe_key=f"backlog:{number}",
                now=now,
            )

    def sent() -> int:
        return sum(isinstance(r, SendMessage) and r.chat_id >= MEMBERS for r in session.requests)

    try:
        task, stop = await started(app)
        assert await wait_until(lambda: sent() >= 30, 20)
        stop.set()
        await asyncio.wait_for(task, 30)
        async with create_session_factory(app.engine)() as db:
            rows = list(await db.scalars(select(OutboxMessage)))
    finally:
        await app.close()
    unsent = [row for row in rows if row.sent_at is None]
    assert unsent, "the backlog was all sent: nothing was stopped"
    assert [row.id for row in unsent if row.claimed_by is not None] == []
    assert all(row.next_attempt_at <= app.crm.clock.now() for row in unsent)
    assert len(rows) - len(unsent) == sent()  # each message sent is marked, none twice


async def test_a_port_taken_after_the_start_up_check_is_a_setup_error() -> None:
    """The port checked free at start-up but taken before the server binds it: the same
    message naming WEB_PORT, not a traceback."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        server = WebServer(aiohttp.web.Application(), "127.0.0.1", port)
        i18n = build_i18n("en")  # as ``python -m bot`` runs
        with (
            i18n.context(),
            i18n.use_locale("en"),
            pytest.raises(SetupError, match=f"WEB_PORT {port}"),
        ):
            await server.start()


class _SlowDispatcher:
    async def feed_raw_update(self, bot: Bot, update: dict[str, object]) -> None:
        await asyncio.sleep(30)  # a handler stuck past the shutdown's deadline


@pytest.mark.parametrize("update_ids", [[7], [8, 9]])
async def test_without_redis_updates_cut_short_at_the_deadline_are_named_as_lost(
    update_ids: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram got its 200 for them and no other instance exists to take them: the log
    says which updates are lost, not that another instance takes them."""
    runner = UpdateRunner(_SlowDispatcher(), Bot("1:offline", session=OfflineSession()))  # type: ignore[arg-type]
    queue = LocalUpdateQueue(runner)
    for update_id in update_ids:
        await queue.put(
            update_id, json.dumps(message_update(update_id, update_id, "/help")).encode()
        )
    assert await queue.stop(0.1) is False
    assert f"updates {', '.join(map(str, update_ids))} did not finish in time; lost" in caplog.text
    assert "another instance" not in caplog.text
