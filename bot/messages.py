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


def instances_need_postgres() -> str:
    return _(
        "Kartoteka cannot start: INSTANCES is more than 1, but the database is SQLite, "
        "which one process alone may write to. Several instances need PostgreSQL: set "
        "DATABASE_URL=postgresql+asyncpg://user:password@host:5432/kartoteka (move the data "
        "with python -m bot transfer), or set INSTANCES=1."
    )


def instances_need_redis() -> str:
    return _(
        "Kartoteka cannot start: INSTANCES is more than 1, but REDIS_URL is not set. "
        "Several instances share dialogs, updates and their schedule through Redis: set "
        "REDIS_URL=redis://host:6379/0, or set INSTANCES=1."
    )


def instances_need_webhook() -> str:
    return _(
        "Kartoteka cannot start: INSTANCES is more than 1, but WEBHOOK_URL is not set. "
        "Telegram gives updates by long polling to one process only; several instances "
        "receive them through a webhook: set WEBHOOK_URL and WEBHOOK_SECRET, or set INSTANCES=1."
    )


def webhook_needs_secret() -> str:
    return _(
        "Kartoteka cannot start: WEBHOOK_URL is set but WEBHOOK_SECRET is not. Without it "
        "anyone could post fake updates to the bot. Set WEBHOOK_SECRET to a random string "
        "of 1-256 letters, digits, _ or - (for example the output of: openssl rand -hex 32)."
    )


def bad_webhook_secret() -> str:
    return _(
        "Kartoteka cannot start: WEBHOOK_SECRET may only hold 1-256 letters A-Z, a-z, "
        "digits, _ and -, as Telegram requires. Choose another (openssl rand -hex 32)."
    )


def bad_webhook_url(url: str) -> str:
    return _(
        "Kartoteka cannot start: WEBHOOK_URL {url} is not an https:// address. Telegram "
        "only sends updates over HTTPS: give the public https:// address of your proxy."
    ).format(url=url)


def redis_unavailable(reason: str) -> str:
    return _(
        "Kartoteka cannot start: Redis at REDIS_URL does not answer ({reason}). Start "
        "Redis or correct REDIS_URL, then start again."
    ).format(reason=reason)


def port_unavailable(host: str, port: int, reason: str) -> str:
    return _(
        "Kartoteka cannot start: the HTTP server cannot listen on WEB_PORT {port} at "
        "WEB_HOST {host} ({reason}). Another program, or another copy of the bot, may be "
        "using that port: stop it, or set WEB_PORT to a free port, then start again."
    ).format(host=host, port=port, reason=reason)
