"""Telegram's webhook: check the secret, accept the update, answer at once.

The update is handled after the answer (``bot.updates``): a slow handler never
makes Telegram wait, time out and deliver the update again. An update is only
answered 200 once it is queued, so one this process could not take is
redelivered by Telegram (perhaps to another instance): a process shutting down, or
an update queue out of reach, is answered 503 with ``Retry-After``, as a database
that fails is on every route.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from aiohttp import web
from redis.exceptions import RedisError

from bot.web import refusals
from bot.web.body_encoding import UNDECODABLE, UndecodableBody, UnsupportedEncoding, decode_body
from bot.web.refusals import body_timed_out, refuse, unavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 2 * 1024 * 1024  # the server's client_max_size; an update inflated past it too


class Intake(Protocol):
    async def put(self, update_id: int, body: bytes) -> bool: ...


def webhook_route(
    intake: Intake, secret: str, stopping: Callable[[], bool]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = secret.encode()

    async def webhook(request: web.Request) -> web.Response:
        # Bytes that are not UTF-8 arrive as surrogates: compare the bytes as they came.
        given = request.headers.get(SECRET_HEADER, "").encode(errors="surrogateescape")
        if not hmac.compare_digest(given, expected):
            log.warning("webhook call with a wrong or missing secret token refused")
            return refuse(403, "wrong or missing secret token")
        if stopping():
            # Telegram tries again; the proxy sends the retry to an instance that is up.
            return unavailable("shutting down")
        try:
            async with asyncio.timeout(refusals.BODY_SECONDS):
                body = await request.read()
            decoded = decode_body(request, body, MAX_BODY)
        except TimeoutError:
            return body_timed_out()
        except (web.RequestPayloadError, UndecodableBody):
            # The connection is not reused after a body that did not read: the answer says so.
            refusal = refuse(400, UNDECODABLE)
            refusal.force_close()
            return refusal
        except UnsupportedEncoding as error:
            return refuse(415, str(error))
        if decoded is None:
            return refuse(413, f"the body is larger than {MAX_BODY} bytes")
        body = decoded
        try:
            update = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested past Python's stack
            return refuse(400, "the body is not JSON")
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return refuse(400, "not a Telegram update: no update_id")
        try:
            await intake.put(update_id, body)
        except RedisError as error:
            log.error("update %s not queued: %s", update_id, type(error).__name__)
            return unavailable("the update queue is unavailable")
        return web.json_response({"ok": True})

    return webhook
