"""Start-up problems the operator must fix, each told in one paragraph (exit status 2)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.types import User
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot import messages

log = logging.getLogger(__name__)

DATABASE_ERRORS = (
    ArgumentError,
    NoSuchModuleError,
    DBAPIError,
    CommandError,
    OSError,
    ImportError,
    sqlite3.Error,
)


class SetupError(Exception):
    """Start-up stopped for a reason the operator can fix; the message says how."""


async def guard_database(url: str, action: Callable[[], object]) -> None:
    """Run ``action``; a database that cannot be opened or migrated becomes a SetupError."""
    try:
        _check_sqlite_file(url)
        result = action()
        if asyncio.iscoroutine(result):
            await result
    except DATABASE_ERRORS as error:
        raise SetupError(messages.database_unavailable(safe_url(url), _reason(error))) from error


def _check_sqlite_file(url: str) -> None:
    """Open a SQLite file with the standard library first.

    A file aiosqlite fails to open leaves its worker thread talking to a loop
    that may already be closed (a stray traceback after our message); the
    standard library fails cleanly and says why.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return
    sqlite3.connect(parsed.database).close()


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _reason(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__


async def reach_telegram(
    bot: Bot,
    api: str,
    attempts: int = 6,
    first_wait: float = 1.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> User:
    """Who the bot is, asking Telegram with backoff (1, 2, 4… s) while the network fails.

    A network that cannot reach Telegram is something the operator must fix: after
    the last attempt it becomes a ``SetupError`` with one paragraph, not a traceback.
    A rejected token is the caller's to explain.
    """
    wait = first_wait
    for attempt in range(1, attempts + 1):
        try:
            return await bot.get_me()
        except (TelegramNetworkError, TelegramServerError) as error:
            log.warning("Telegram did not answer (attempt %d of %d): %s", attempt, attempts, error)
            if attempt == attempts:
                raise SetupError(messages.telegram_unreachable(api, error.message)) from error
            await sleep(wait)
            wait *= 2
    raise AssertionError("unreachable")
