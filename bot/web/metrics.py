"""Prometheus metrics at ``/metrics``, and the two places that feed them.

``UpdateMetrics`` is the outermost dispatcher middleware: it times every update,
counts it by type and outcome and writes one log line for it (type, duration,
outcome; never a message's text). ``RequestMetrics`` sits in the Bot API session
that every request passes, counting messages sent and 429s received. The
outbox's depth and the age of its oldest message are read from the database
when Prometheus scrapes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from crm.service import CrmFactory
from storage.models import OutboxMessage

log = logging.getLogger("kartoteka.updates")

UPDATES = Counter(
    "kartoteka_updates_total", "Updates handled, by type and outcome", ["type", "outcome"]
)
UPDATE_SECONDS = Histogram(
    "kartoteka_update_seconds",
    "Time spent handling one update",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter("kartoteka_errors_total", "Failures while handling updates, by kind", ["kind"])
DUPLICATES = Counter("kartoteka_updates_duplicate_total", "Updates delivered again and skipped")
SENT = Counter("kartoteka_messages_sent_total", "Messages sent to Telegram, by method", ["method"])
RETRY_AFTER = Counter("kartoteka_telegram_429_total", "429 Too Many Requests answers received")
OUTBOX_DEPTH = Gauge("kartoteka_outbox_depth", "Messages waiting in the outbox")
OUTBOX_OLDEST = Gauge(
    "kartoteka_outbox_oldest_seconds", "Age of the oldest message waiting in the outbox"
)
REMINDER_LATE = Histogram(
    "kartoteka_reminder_late_seconds",
    "How long after its moment a task reminder went out",
    buckets=(0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0),
)

_SENDING = ("Send", "Copy", "Forward")
_REMINDER_KINDS = ("task_reminder", "task_early", "task_nudge")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def update_type(update: Update) -> str:
    return update.event_type if update.event_type else "unknown"


class UpdateMetrics(BaseMiddleware):
    """Time, count and log each update; register it first, as the outermost middleware."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        kind = update_type(event)
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "ok"
            return result
        except Exception as error:
            ERRORS.labels(type(error).__name__).inc()
            raise
        finally:
            duration = time.perf_counter() - started
            UPDATES.labels(kind, outcome).inc()
            UPDATE_SECONDS.labels(kind).observe(duration)
            log.info(
                "update %s %s %.1f ms %s",
                event.update_id,
                kind,
                duration * 1000,
                outcome,
                extra={
                    "update_id": event.update_id,
                    "update_type": kind,
                    "duration_ms": round(duration * 1000, 1),
                    "outcome": outcome,
                },
            )


class RequestMetrics(BaseRequestMiddleware):
    """Every request to the Bot API: messages sent, and 429s received."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = type(method).__name__
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter:
            RETRY_AFTER.inc()
            raise
        if name.startswith(_SENDING):
            SENT.labels(name).inc()
        return response


def reminder_sent(row: OutboxMessage) -> None:
    """The outbox sent ``row``: for a task reminder, note how late it went out."""
    if row.kind not in _REMINDER_KINDS:
        return
    # The key names the moment: task:<id>:<kind>:<YYYYmmddTHHMMSS> (crm.reminders).
    stamp = row.dedupe_key.rsplit(":", 1)[-1]
    try:
        moment = datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return
    REMINDER_LATE.observe(max(0.0, (datetime.now(UTC) - moment).total_seconds()))


def metrics_route(crm_factory: CrmFactory) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def metrics(request: web.Request) -> web.Response:
        try:
            async with crm_factory.open(background=True) as crm:
                depth, oldest = await crm.outbox.depth()
        except Exception:  # the rest of the metrics still answer while the database is away
            log.warning("outbox depth unavailable", exc_info=True)
        else:
            OUTBOX_DEPTH.set(depth)
            age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
            OUTBOX_OLDEST.set(max(0.0, age))
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return metrics
