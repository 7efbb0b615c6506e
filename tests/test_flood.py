"""Replies that survive Telegram's flood limits: a 429 is waited out, never lost or doubled."""

from __future__ import annotations

import socket
import ssl
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, TelegramMethod
from aiohttp import (
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ClientOSError,
    ClientProxyConnectionError,
    ConnectionTimeoutError,
    ServerDisconnectedError,
    SocketTimeoutError,
)
from aiohttp.client_reqrep import ConnectionKey
from sqlalchemy import func, select

from bot.app import App
from bot.flood import FloodControl, repeatable
from bot.offline import OfflineSession
from bot.simulator import SimulatedUser
from reminders.limits import RateLimits
from storage.engine import create_session_factory
from storage.models import Task


class Flooded(OfflineSession):
    """Answers 429 to every second request, as Telegram does to a chat in a burst."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> Any:
        self.calls += 1
        if self.calls % 2 == 0:
            self.requests.append(method)
            self.outcomes.append(None)
            raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=1)
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def flooded(app: App) -> tuple[Flooded, list[float]]:
    """The app's bot on a flooded fake API, with the flood layer's waits recorded, not slept."""
    session = Flooded()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    for middleware in app.bot.session.middleware:
        session.middleware(middleware)
        if isinstance(middleware, FloodControl):
            middleware._sleep = sleep
    app.bot.session = session
    return session, waits


async def test_every_command_is_answered_once_under_429s(
    app: App, owner: SimulatedUser, flooded: tuple[Flooded, list[float]]
) -> None:
    session, waits = flooded
    owner.bot = app.bot
    await owner.send("/start")
    for number in range(15):
        replies = await owner.send(f"/task завтра в 10 позвонить клиенту {number}")
        assert len(replies) == 1, number
        assert f"клиенту {number}" in (replies[0].text or "")
    async with create_session_factory(app.engine)() as db:
        count = await db.scalar(select(func.count()).select_from(Task))
    assert count == 15  # nothing stored twice
    assert waits and all(wait == 1 for wait in waits)
    sent = [r for r in session.requests if isinstance(r, SendMessage)]
    delivered = [o for o in session.outcomes if o is not None]
    assert len(delivered) == 16  # /start's answer and one per /task
    assert len(sent) > len(delivered)  # the refused ones were sent again


async def test_a_press_under_429_is_still_answered(
    app: App, owner: SimulatedUser, flooded: tuple[Flooded, list[float]]
) -> None:
    owner.bot = app.bot
    [confirmation] = await owner.send("/task завтра в 10 позвонить")
    [picker] = await owner.press("Приоритет", confirmation)  # its edit and answer meet 429s
    assert picker.buttons  # the priority picker was shown
    [screen] = await owner.press("высокий", picker)
    async with create_session_factory(app.engine)() as db:
        task = await db.scalar(select(Task))
    assert task is not None and task.priority == "high"
    assert "высокий" in (screen.text or "").lower() or screen.buttons


async def test_a_flood_longer_than_the_limit_is_given_up() -> None:
    limits = RateLimits()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    guard = FloodControl(limits, give_up_after=30, sleep=sleep, monotonic=lambda: 0.0 + sum(waits))
    method = SendMessage(chat_id=1, text="hi")

    async def always_429(bot: Bot, call: TelegramMethod[Any]) -> Any:
        raise TelegramRetryAfter(method=call, message="flood", retry_after=12)

    with pytest.raises(TelegramRetryAfter):
        await guard(always_429, Bot("1:x", session=OfflineSession()), method)
    assert waits == [12, 12]  # a third wait would pass 30 s


@pytest.mark.parametrize(
    ("method", "error", "expected"),
    [
        (EditMessageText(chat_id=1, message_id=1, text="x"), None, True),
        (AnswerCallbackQuery(callback_query_id="1"), None, True),
        (SendMessage(chat_id=1, text="x"), "ClientConnectorError: refused", True),
        (SendMessage(chat_id=1, text="x"), "Request timeout error", False),
        (SendMessage(chat_id=1, text="x"), None, False),
    ],
)
def test_what_is_repeated_after_a_network_error(
    method: TelegramMethod[Any], error: str | None, expected: bool
) -> None:
    network = TelegramNetworkError(method=method, message=error) if error else None
    assert repeatable(method, network) is expected


_KEY = ConnectionKey("api.telegram.org", 443, True, True, None, None, None)


def _from_aiohttp(error: Exception, method: TelegramMethod[Any]) -> TelegramNetworkError:
    """``error`` as aiogram's session raises it: named in the message, the cause kept."""
    message = "Request timeout error" if isinstance(error, TimeoutError) else None
    try:
        raise TelegramNetworkError(
            method=method, message=message or f"{type(error).__name__}: {error}"
        ) from error
    except TelegramNetworkError as raised:
        return raised


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ClientConnectorError(_KEY, ConnectionRefusedError(111, "refused")), True),
        (ClientConnectorDNSError(_KEY, socket.gaierror(-3, "name resolution")), True),
        (ClientConnectorCertificateError(_KEY, ssl.SSLCertVerificationError("bad")), True),
        (ClientConnectorSSLError(_KEY, ssl.SSLError("handshake")), True),
        (ClientProxyConnectionError(_KEY, OSError(111, "proxy refused")), True),
        (ConnectionTimeoutError("Connection timeout to host"), True),
        (ServerDisconnectedError(), True),
        (ClientOSError(104, "Connection reset by peer"), False),  # the request may be out
        (SocketTimeoutError("Timeout on reading data from socket"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_a_new_message_is_repeated_only_when_the_connection_was_never_made(
    error: Exception, expected: bool
) -> None:
    method = SendMessage(chat_id=1, text="x")
    assert repeatable(method, _from_aiohttp(error, method)) is expected


async def test_a_server_error_on_a_new_message_is_not_repeated() -> None:
    calls: list[str] = []

    async def fails(bot: Bot, call: TelegramMethod[Any]) -> Any:
        calls.append(type(call).__name__)
        raise TelegramServerError(method=call, message="Bad Gateway")

    async def sleep(seconds: float) -> None:
        return None

    guard = FloodControl(RateLimits(), sleep=sleep)
    bot = Bot("1:x", session=OfflineSession())
    with pytest.raises(TelegramServerError):
        await guard(fails, bot, SendMessage(chat_id=1, text="x"))
    assert calls == ["SendMessage"]
    with pytest.raises(TelegramServerError):
        await guard(fails, bot, EditMessageText(chat_id=1, message_id=1, text="x"))
    assert calls.count("EditMessageText") == 4
