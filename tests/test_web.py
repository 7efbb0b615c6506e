"""The HTTP server in one process: health, readiness, metrics and the webhook (one instance)."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.app import App, build_app
from bot.checks import Refused, check_settings
from bot.i18n import build_i18n
from bot.logs import JsonFormatter
from bot.offline import OfflineSession
from bot.startup import prepare_database
from bot.update_journal import RedisUpdateQueue
from bot.updates import LocalUpdateQueue, UpdateRunner, chat_of
from bot.web import health, refusals
from bot.web.refusals import RETRY_AFTER_SECONDS
from bot.web.server import build_web_app, webhook_path
from bot.web.webhook import SECRET_HEADER
from crm.clock import ManualClock
from crm.outbox import enqueue
from storage.engine import create_session_factory, write_transaction
from tests.conftest import OWNER_ID, make_settings, unhurried
from tests.raw_http import raw_request, short_body

SECRET = "s3cret-token_1"
PATH = "/telegram/hook"


@pytest.fixture
async def web_app(database_url: str, clock: ManualClock) -> AsyncIterator[App]:
    settings = make_settings(
        database_url,
        webhook_url=f"https://bot.example.com{PATH}",
        webhook_secret=SecretStr(SECRET),
    )
    application = build_app(settings, session=OfflineSession(), clock=clock, limits=unhurried())
    await prepare_database(application)
    yield application
    await application.close()


@pytest.fixture
async def client(web_app: App) -> AsyncIterator[tuple[TestClient, LocalUpdateQueue]]:  # type: ignore[type-arg]
    queue = LocalUpdateQueue(UpdateRunner(web_app.dispatcher, web_app.bot))
    server = TestServer(build_web_app(web_app, intake=queue))
    async with TestClient(server) as test_client:
        yield test_client, queue
    await queue.stop(5)


def start_update(update_id: int, user_id: int = OWNER_ID, text: str = "/help") -> dict[str, object]:
    sender = {"id": user_id, "is_bot": False, "first_name": "Olga", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_772_442_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Olga"},
            "from": sender,
            "text": text,
        },
    }


async def test_health_readiness_and_metrics_answer(client: tuple[TestClient, object]) -> None:  # type: ignore[type-arg]
    http, _queue = client
    answer = await http.get("/healthz")
    assert answer.status == 200 and (await answer.json())["status"] == "ok"
    answer = await http.get("/readyz")
    body = await answer.json()
    assert answer.status == 200, body
    assert body["checks"] == {"database": "ok"}
    answer = await http.get("/metrics")
    text = await answer.text()
    assert answer.status == 200
    for name in (
        "kartoteka_updates_total",
        "kartoteka_update_seconds",
        "kartoteka_outbox_depth",
        "kartoteka_outbox_oldest_seconds",
        "kartoteka_telegram_429_total",
        "kartoteka_reminder_late_seconds",
    ):
        assert name in text


async def test_metrics_show_the_outbox_depth_and_oldest_age(
    client: tuple[TestClient, object],  # type: ignore[type-arg]
    web_app: App,
    clock: ManualClock,
) -> None:
    http, _queue = client
    async with create_session_factory(web_app.engine)() as session, write_transaction(session):
        for number in range(3):
            await enqueue(
                session,
                chat_id=OWNER_ID,
                kind="task_reminder",
                payload={"task_id": number},
                dedupe_key=f"metrics-test:{number}",
                now=clock.now() - timedelta(minutes=5),
            )
    text = await (await http.get("/metrics")).text()
    assert "kartoteka_outbox_depth 3.0" in text
    oldest = next(line for line in text.splitlines() if line.startswith("kartoteka_outbox_oldest"))
    assert float(oldest.split()[1]) > 0


async def test_webhook_refuses_a_wrong_secret_and_a_body_that_is_no_update(
    client: tuple[TestClient, object],  # type: ignore[type-arg]
) -> None:
    http, _queue = client
    update = start_update(1)
    answer = await http.post(PATH, json=update)
    assert answer.status == 403 and "secret" in (await answer.json())["error"]
    answer = await http.post(PATH, json=update, headers={SECRET_HEADER: "wrong"})
    assert answer.status == 403
    answer = await http.post(PATH, data=b"{not json", headers={SECRET_HEADER: SECRET})
    assert answer.status == 400 and (await answer.json())["error"] == "the body is not JSON"
    answer = await http.post(PATH, json={"message": {}}, headers={SECRET_HEADER: SECRET})
    assert answer.status == 400 and "update_id" in (await answer.json())["error"]
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = await http.post(PATH, data=deep, headers={SECRET_HEADER: SECRET})
    assert answer.status == 400 and (await answer.json())["error"] == "the body is not JSON"
    gzipped = {SECRET_HEADER: SECRET, "Content-Encoding": "gzip"}
    answer = await http.post(PATH, data=b"not gzip", headers=gzipped)
    assert answer.status == 400 and "Content-Encoding" in (await answer.json())["error"]
    assert answer.headers["Connection"] == "close"
    # br, zstd: aiohttp's plain "Please install Brotli" 400 before the route; now 415 in JSON.
    for coding in ("br", "zstd", "x-unknown"):
        headers = {SECRET_HEADER: SECRET, "Content-Encoding": coding}
        answer = await http.post(PATH, data=b'{"update_id": 1}', headers=headers)
        assert answer.status == 415 and "Content-Encoding" in (await answer.json())["error"]
    for secret in (b"\xff\xfe", SECRET.encode() + b"\xff"):
        status, body = await raw_request(
            http, "POST", PATH, [(SECRET_HEADER.encode(), secret)], b"{}"
        )
        assert status == 403, body


async def test_webhook_answers_then_handles_and_a_repeated_update_once(
    client: tuple[TestClient, LocalUpdateQueue],  # type: ignore[type-arg]
    web_app: App,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http, queue = client
    session = web_app.bot.session
    assert isinstance(session, OfflineSession)
    caplog.set_level(logging.INFO, logger="kartoteka.updates")
    update = start_update(10, text="/help secret-words")
    for _ in range(2):
        answer = await http.post(PATH, json=update, headers={SECRET_HEADER: SECRET})
        assert answer.status == 200
    assert await queue.stop(10)
    replies = [r for r in session.requests if type(r).__name__ == "SendMessage"]
    assert len(replies) == 1
    [line] = [r for r in caplog.records if r.name == "kartoteka.updates"]
    formatted = JsonFormatter().format(line)
    record = json.loads(formatted)
    assert record["update_id"] == 10 and record["update_type"] == "message"
    assert record["outcome"] == "ok" and record["duration_ms"] >= 0
    assert "secret-words" not in formatted


def test_webhook_path_is_the_path_of_the_url() -> None:
    assert webhook_path("https://x.example/tg/abc") == "/tg/abc"
    assert webhook_path("https://x.example") == "/telegram/webhook"
    assert webhook_path(None) == "/telegram/webhook"


@pytest.mark.parametrize(
    ("update", "chat"),
    [
        ({"update_id": 1, "message": {"chat": {"id": 5}, "from": {"id": 6}}}, 5),
        (
            {"update_id": 1, "callback_query": {"from": {"id": 6}, "message": {"chat": {"id": 7}}}},
            7,
        ),
        ({"update_id": 1, "callback_query": {"from": {"id": 6}}}, 6),
        ({"update_id": 1, "inline_query": {"from": {"id": 8}}}, 8),
        ({"update_id": 1}, None),
    ],
)
def test_chat_of_an_update(update: dict[str, object], chat: int | None) -> None:
    assert chat_of(update) == chat


SQLITE = "sqlite+aiosqlite:///x.db"
PG = "postgresql+asyncpg://u@h/db"
HOOK = "https://bot.example.com/hook"


@pytest.mark.parametrize(
    ("overrides", "refusal"),
    [
        ({"instances": 2, "database_url": SQLITE}, "SQLite"),
        ({"instances": 2, "database_url": PG}, "REDIS_URL"),
        ({"instances": 2, "database_url": PG, "redis_url": "redis://r"}, "WEBHOOK_URL"),
        ({"webhook_url": HOOK}, "WEBHOOK_SECRET"),
        ({"webhook_url": HOOK, "webhook_secret": "has spaces"}, "1-256"),
        ({"webhook_url": "http://bot.example.com/hook", "webhook_secret": "ok"}, "https"),
    ],
)
def test_start_up_refuses_what_cannot_work(overrides: dict[str, object], refusal: str) -> None:
    settings = make_settings(overrides.pop("database_url", SQLITE), **overrides)  # type: ignore[arg-type]
    i18n = build_i18n("en")
    with i18n.context(), i18n.use_locale("en"), pytest.raises(Refused) as error:
        check_settings(settings)
    assert refusal in str(error.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"webhook_url": HOOK, "webhook_secret": "ok"},  # one instance may use SQLite
        {
            "webhook_url": "http://127.0.0.1/h",
            "webhook_secret": "ok",
            "telegram_api_url": "http://a",
        },
        {
            "instances": 3,
            "database_url": PG,
            "redis_url": "redis://r",
            "webhook_url": HOOK,
            "webhook_secret": "ok",
        },
    ],
)
def test_start_up_accepts_what_works(overrides: dict[str, object]) -> None:
    settings = make_settings(overrides.pop("database_url", SQLITE), **overrides)  # type: ignore[arg-type]
    check_settings(settings)


async def test_readiness_that_fails_says_when_to_ask_again(
    web_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/readyz`` not ready is a 503 like the others: with ``Retry-After``."""
    stopping = False
    server = TestServer(build_web_app(web_app, stopping=lambda: stopping))
    async with TestClient(server) as http:
        answer = await http.get("/readyz")
        assert answer.status == 200 and "Retry-After" not in answer.headers
        with monkeypatch.context() as patch:

            async def database_away(_engine: object) -> None:
                raise ConnectionRefusedError()

            patch.setattr(health, "_database", database_away)
            answer = await http.get("/readyz")
            assert answer.status == 503, await answer.text()
            assert (await answer.json())["checks"]["database"].startswith("unavailable")
            assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        stopping = True
        answer = await http.get("/readyz")
        assert answer.status == 503
        checks = (await answer.json())["checks"]
        assert (checks["database"], checks["process"]) == ("ok", "shutting down")
        assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)


async def test_a_webhook_body_shorter_than_its_content_length_is_answered_408_in_time(
    client: tuple[TestClient, LocalUpdateQueue],  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(refusals, "BODY_SECONDS", 0.5)
    http, _queue = client
    headers = [(SECRET_HEADER.encode(), SECRET.encode())]
    status, head, seconds = await short_body(http, PATH, headers)
    assert status == 408 and b"Connection: close" in head, head
    assert 0.5 <= seconds < 5


async def test_a_webhook_shutting_down_or_without_its_queue_says_when_to_retry(
    web_app: App,
) -> None:
    """The webhook's own 503s carry ``Retry-After`` as the database's do: a process
    shutting down, and an update queue it cannot reach (Redis away)."""
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()  # nothing listens there: the queue's Redis is refused
    redis = Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=1)
    runner = UpdateRunner(web_app.dispatcher, web_app.bot)
    queue = RedisUpdateQueue(runner, redis, "kt-web-test", "a", 5)
    stopping = False
    server = TestServer(build_web_app(web_app, intake=queue, stopping=lambda: stopping))
    try:
        async with TestClient(server) as http:
            answer = await http.post(PATH, json=start_update(30), headers={SECRET_HEADER: SECRET})
            assert answer.status == 503
            assert (await answer.json())["error"] == "the update queue is unavailable"
            assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            stopping = True
            answer = await http.post(PATH, json=start_update(31), headers={SECRET_HEADER: SECRET})
            assert answer.status == 503 and (await answer.json())["error"] == "shutting down"
            assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            answer = await http.post(PATH, json=start_update(32))  # still checked first
            assert answer.status == 403 and "Retry-After" not in answer.headers
    finally:
        await redis.aclose()
