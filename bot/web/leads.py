"""``POST /leads/{token}``: website forms (Tilda and any other) posting leads.

The lead, its card, deal and notices are committed before the 200, so an
accepted lead is never lost; a retry of the same submission is answered 200
and makes nothing new. An unknown or replaced token gets the same bare 404 as
any unknown address.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from aiohttp import web

from bot.web.form_body import BodyError, read_pairs
from crm.errors import CrmError, NotFound
from crm.parsing.lead_fields import LeadFormError, read_form
from crm.service import CrmFactory

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 64 * 1024
DEFAULT_RATE_PER_MINUTE = 60
_MAX_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """A token bucket per URL token: ``per_minute`` requests a minute, bursts up to that."""

    per_minute: int
    buckets: dict[str, _Bucket] = field(default_factory=dict)

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when allowed; otherwise the seconds until the next request would be."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= _MAX_BUCKETS:
                self.buckets.clear()  # full buckets carry no state worth keeping
            bucket = self.buckets[key] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / rate


def _refuse(status: int, reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=status)


async def _read_limited(request: web.Request, limit: int) -> bytes | None:
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(16 * 1024):
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)


def add_lead_routes(
    web_app: web.Application,
    crm: CrmFactory,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
) -> None:
    """Register ``POST /leads/{token}`` on ``web_app``."""
    limiter = RateLimiter(rate_per_minute)

    async def post_lead(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        wait = limiter.allow(token)
        if wait:
            return web.json_response(
                {"ok": False, "error": "too many requests"},
                status=429,
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        body = await _read_limited(request, max_body)
        if body is None:
            return _refuse(413, f"the body is larger than {max_body} bytes")
        async with crm.open() as core:
            source = await core.lead_sources.by_token(token)
            if source is None:
                raise web.HTTPNotFound()
            try:
                form = read_form(read_pairs(request.headers.get("Content-Type", ""), body))
            except (BodyError, LeadFormError) as exc:
                return _refuse(400, str(exc))
            if form.is_test:
                return web.json_response({"ok": True, "test": True})
            try:
                accepted = await core.intake.accept_form(source.id, form)
            except NotFound:
                raise web.HTTPNotFound() from None
            except CrmError as exc:
                log.info("lead refused for source %s: %s", source.id, exc.code)
                return _refuse(400, exc.code)
        return web.json_response(
            {"ok": True, "lead": accepted.lead_id, "duplicate": accepted.duplicate}
        )

    web_app.router.add_post("/leads/{token}", post_lead)
