"""``/healthz``: the process answers. ``/readyz``: its database and Redis answer too (and
the process is not shutting down); when not, 503 with ``Retry-After`` as every 503."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.web.refusals import retry_after

log = logging.getLogger(__name__)

CHECK_SECONDS = 3.0


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def readyz_route(
    engine: AsyncEngine, redis: Redis | None, stopping: Callable[[], bool]
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def readyz(request: web.Request) -> web.Response:
        checks: dict[str, str] = {}
        checks["database"] = await _check(_database(engine))
        if redis is not None:
            checks["redis"] = await _check(_redis(redis))
        if stopping():
            checks["process"] = "shutting down"
        ready = all(value == "ok" for value in checks.values())
        return web.json_response(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status=200 if ready else 503,
            headers=None if ready else retry_after(),
        )

    return readyz


async def _database(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _redis(redis: Redis) -> None:
    await redis.ping()


async def _check(probe: Awaitable[None]) -> str:
    try:
        await asyncio.wait_for(probe, CHECK_SECONDS)
    except TimeoutError:
        return "timed out"
    except Exception as error:
        log.warning("readiness check failed: %s", type(error).__name__)
        return f"unavailable ({type(error).__name__})"
    return "ok"
