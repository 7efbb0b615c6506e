"""What cannot work is refused at start-up, with a message that says how to fix it.

The rule: several instances (``INSTANCES`` > 1) need PostgreSQL, Redis and
webhook mode; webhook mode needs a secret, and an https:// address unless a
self-hosted Bot API server (``TELEGRAM_API_URL``) is used. One instance in
webhook mode may run on SQLite and without Redis.
"""

from __future__ import annotations

import asyncio
import re

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot import messages
from bot.config import Settings

SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Refused(Exception):
    """The settings cannot work together; the message says why and what to change."""


def check_settings(settings: Settings) -> None:
    if settings.instances > 1:
        if _is_sqlite(settings.database_url):
            raise Refused(messages.instances_need_postgres())
        if settings.redis_url is None:
            raise Refused(messages.instances_need_redis())
        if not settings.webhook_mode:
            raise Refused(messages.instances_need_webhook())
    if settings.webhook_url is not None:
        if settings.webhook_secret is None:
            raise Refused(messages.webhook_needs_secret())
        if not SECRET.match(settings.webhook_secret.get_secret_value()):
            raise Refused(messages.bad_webhook_secret())
        if not settings.webhook_url.startswith("https://") and not settings.telegram_api_url:
            raise Refused(messages.bad_webhook_url(settings.webhook_url))


async def check_redis(redis: Redis | None) -> None:
    if redis is None:
        return
    try:
        await asyncio.wait_for(redis.ping(), timeout=5)
    except (RedisError, OSError, TimeoutError) as error:
        raise Refused(messages.redis_unavailable(type(error).__name__)) from error


def _is_sqlite(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() == "sqlite"
    except ArgumentError:
        return False
