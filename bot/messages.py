"""What the operator reads in the terminal when the bot cannot start."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def missing_token() -> str:
    return _(
        "Kartoteka cannot start: the Telegram bot token is not set. "
        "Open @BotFather in Telegram, send /newbot and follow its questions; it answers "
        "with a token like 123456789:AAH... Put it into a file named .env in the folder "
        "you start the bot from, as the line BOT_TOKEN=<your token> (see .env.example), "
        "or set the BOT_TOKEN environment variable, then start again. To try the bot "
        "without Telegram, run: python -m bot console"
    )


def malformed_token() -> str:
    return _(
        "Kartoteka cannot start: BOT_TOKEN does not look like a Telegram bot token. "
        "A token is a number, a colon and a long code, like 123456789:AAH..., exactly as "
        "@BotFather gave it (send /mybots to @BotFather to see it again). Check the "
        "BOT_TOKEN line in your .env or environment for extra spaces or quotes, then "
        "start again."
    )


def rejected_token() -> str:
    return _(
        "Kartoteka cannot start: Telegram rejected BOT_TOKEN. The token may have been "
        "revoked or mistyped. Send /mybots to @BotFather, pick your bot, open "
        "“API Token”, put the current token into BOT_TOKEN and start again."
    )


def bad_settings(details: str) -> str:
    return _(
        "Kartoteka cannot start: some settings are wrong. {details} "
        "Fix them in .env or in the environment (every setting is described in "
        ".env.example) and start again."
    ).format(details=details)


def database_unavailable(url: str, reason: str) -> str:
    return _(
        "Kartoteka cannot open or update its database at {url}: {reason}. "
        "Check DATABASE_URL in .env: for SQLite the folder of the file must exist and be "
        "writable (the default, sqlite+aiosqlite:///kartoteka.db, creates the file next to "
        "where you start the bot); for PostgreSQL the server must be running and the "
        "database must exist (postgresql+asyncpg://user:password@host:5432/dbname)."
    ).format(url=url, reason=reason)


def telegram_unreachable(api: str, reason: str) -> str:
    return _(
        "Kartoteka cannot start: it cannot reach Telegram at {api} ({reason}); it tried "
        "for a while. Check this machine's internet connection, a firewall or proxy, and "
        "TELEGRAM_API_URL if you set it, then start again."
    ).format(api=api, reason=reason)
