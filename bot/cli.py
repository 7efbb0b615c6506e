"""The command line: ``python -m bot`` (or ``kartoteka``): run, console, migrate, backups.

It lives here rather than in ``__main__`` so that everything imports one copy of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.utils.i18n import I18n
from aiogram.utils.token import TokenValidationError, validate_token
from pydantic import ValidationError

from bot import messages
from bot.backup_cli import COMMANDS as BACKUP_COMMANDS
from bot.backup_cli import add_commands as add_backup_commands
from bot.backup_cli import run_command as run_backup_command
from bot.checks import Refused, check_redis, check_settings
from bot.config import Settings
from bot.guards import SetupError, guard_database, reach_telegram
from bot.i18n import LANGUAGES, build_i18n
from bot.logs import configure_logging

EXIT_SETUP = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kartoteka", description="Kartoteka, a CRM in Telegram")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser(
        "run",
        help="apply migrations and start (long polling, or the webhook if WEBHOOK_URL is set)",
    )
    commands.add_parser("migrate", help="apply pending database migrations and exit")
    console = commands.add_parser("console", help="try the bot in this terminal, offline")
    console.add_argument(
        "--database",
        help="database URL for the trial (default: sqlite+aiosqlite:///kartoteka-console.db)",
    )
    add_backup_commands(commands)
    webhook = commands.add_parser(
        "webhook", help="register the webhook with Telegram (deploy step)"
    )
    webhook.add_argument("action", choices=("set", "delete", "info"))
    args = parser.parse_args(argv)
    i18n = build_i18n(_fallback_language())
    with i18n.context():
        try:
            with _language(i18n):
                settings = load_settings()
            console = args.command == "console"
            configure_logging(settings.log_level, settings.log_format, console=console)
            with i18n.use_locale(settings.default_language):
                return _dispatch(args, settings)
        except SetupError as error:
            print(str(error), file=sys.stderr)
            return EXIT_SETUP


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        print("Migrations applied.")
        return 0
    if args.command in BACKUP_COMMANDS:
        return run_backup_command(args, settings)
    if args.command == "console":
        from bot.console import run_console

        return asyncio.run(run_console(settings, args.database, sys.stdin, sys.stdout))
    check_token(settings)
    if args.command == "webhook":
        from bot.webhook_cli import webhook_command

        print(asyncio.run(webhook_command(settings, args.action)))
        return 0
    try:
        check_settings(settings)
    except Refused as error:
        raise SetupError(str(error)) from error
    asyncio.run(run(settings))
    return 0


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        details = " ".join(
            f"{'.'.join(str(part) for part in issue['loc']).upper()}: {issue['msg']}."
            for issue in error.errors()
        )
        raise SetupError(messages.bad_settings(details)) from error


def check_token(settings: Settings) -> str:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise SetupError(messages.missing_token())
    token = settings.bot_token.get_secret_value().strip()
    try:
        validate_token(token)
    except TokenValidationError as error:
        raise SetupError(messages.malformed_token()) from error
    return token


async def migrate(settings: Settings) -> None:
    from storage.engine import create_engine
    from storage.migrate import upgrade

    async def _upgrade() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    await guard_database(settings.database_url, _upgrade)


async def run(settings: Settings) -> None:
    from bot.app import build_app
    from bot.runner import serve
    from bot.startup import announce_setup_code, prepare_database
    from bot.web.server import check_port
    from handlers.menu.commands import publish_commands

    if settings.http_port is not None:  # before anything is announced or published
        check_port(settings.web_host, settings.http_port)
    app = build_app(settings)
    try:
        try:
            await check_redis(app.redis)
        except Refused as error:
            raise SetupError(str(error)) from error
        await guard_database(settings.database_url, lambda: prepare_database(app))
        try:
            me = await reach_telegram(app.bot, settings.telegram_api_url or "api.telegram.org")
        except TelegramUnauthorizedError as error:
            raise SetupError(messages.rejected_token()) from error
        await announce_setup_code(app, me.username)
        await publish_commands(app.bot, app.i18n)
        await serve(app, me.username)
    finally:
        await app.close()


def _fallback_language() -> str:
    language = os.environ.get("DEFAULT_LANGUAGE", "ru").strip().lower()
    return language if language in LANGUAGES else "ru"


@contextmanager
def _language(i18n: I18n) -> Iterator[None]:
    with i18n.use_locale(_fallback_language()):
        yield
