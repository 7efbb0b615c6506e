"""``POST /leads/{token}``: website forms (Tilda and any other) posting leads.

The lead, its card, deal and notices are committed before the 200, so an
accepted lead is never lost; a retry of the same submission is answered 200
and makes nothing new. An unknown or replaced token gets the same bare 404 as
any unknown address; made-up tokens share one rate limit (``bot.web.lead_tokens``),
so a flood of them is answered 429 without a lookup each. A database that fails
the write leaves nothing of the lead (one transaction) and is answered 503 with
``Retry-After`` by the server's middleware (``bot.web.refusals``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from aiohttp import web

from bot.web import refusals
from bot.web.body_encoding import UNDECODABLE, UndecodableBody, decode_body
from bot.web.form_body import BodyError, Unsupported, read_pairs
from bot.web.lead_cors import allow_browsers
from bot.web.lead_tokens import MISSES_KEY, TOO_MANY_MISSES, KnownTokens
from bot.web.refusals import body_timed_out, database_unavailable, refuse
from crm.errors import CrmError, NotFound
from crm.intake.batch import Accepted
from crm.intake.drafts import LeadDraft, lead_draft
from crm.intake.sources import MAX_TOKEN
from crm.parsing.lead_fields import LeadFormError, read_form
from crm.service import CrmFactory

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 64 * 1024
DEFAULT_RATE_PER_MINUTE = 60
MAX_BUCKETS = 10_000
# How many of the least recently used buckets a full limiter compares to pick one to drop.
EVICTION_WINDOW = 32
MAX_BATCH = 200

R = TypeVar("R", bound=web.Response)


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """A token bucket per URL token: ``per_minute`` requests a minute, bursts up to that.

    At most ``MAX_BUCKETS`` buckets, kept least recently used first: made-up tokens
    (each a 404, but a bucket first) make room by dropping one, never by forgetting them
    all, so they cannot hand a held-back token a fresh burst. Tokens longer than any
    source's share one bucket: kept each as its own key, the URL's up to 8 KB would be.
    """

    per_minute: int
    buckets: OrderedDict[str, _Bucket] = field(default_factory=OrderedDict)

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when allowed; otherwise the seconds until the next request would be."""
        now = time.monotonic() if now is None else now
        key = key if len(key) <= MAX_TOKEN else ""
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_BUCKETS:
                self._drop_one(now)
            bucket = self.buckets[key] = _Bucket(float(self.per_minute), now)
        self.buckets.move_to_end(key)
        bucket.tokens = self._level(bucket, now)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / (self.per_minute / 60.0)

    def _level(self, bucket: _Bucket, now: float) -> float:
        refilled = bucket.tokens + (now - bucket.at) * self.per_minute / 60.0
        return min(float(self.per_minute), refilled)

    def _drop_one(self, now: float) -> None:
        """Of the least recently used few, drop the fullest: forgetting it loses the least (a
        full bucket is a new one), and a token being held back outlasts the ones that are not."""
        oldest = islice(self.buckets.items(), EVICTION_WINDOW)
        key, _ = max(oldest, key=lambda item: self._level(item[1], now))
        del self.buckets[key]


class SlowBody(BodyError):
    """The body did not all arrive within ``BODY_SECONDS``: answered 408, and the
    connection closed (the rest of the body is not waited for)."""


def _closing(response: R, close: bool) -> R:
    if close:
        response.force_close()
    return response


async def _read_limited(request: web.Request, limit: int) -> bytes | None:
    """The body; None when it is over ``limit``."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    try:
        async with asyncio.timeout(refusals.BODY_SECONDS):
            async for chunk in request.content.iter_chunked(16 * 1024):
                body.extend(chunk)
                if len(body) > limit:
                    return None
    except web.RequestPayloadError:
        raise UndecodableBody(UNDECODABLE) from None
    except TimeoutError:
        raise SlowBody(refusals.BODY_TIMED_OUT) from None
    return decode_body(request, bytes(body), limit)


class LeadWriter:
    """One task writes whatever submissions have queued up, in one transaction each time.

    Under load this turns hundreds of small transactions into a few big ones
    (SQLite has one writer); when it is quiet a batch is a single lead and the
    answer is as fast as a direct write. Each request waits for its own outcome.
    """

    def __init__(self, crm: CrmFactory, max_batch: int = MAX_BATCH) -> None:
        self._crm = crm
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[LeadDraft, asyncio.Future[Accepted | CrmError]]] = (
            asyncio.Queue()
        )

    async def submit(self, draft: LeadDraft) -> Accepted | CrmError:
        future: asyncio.Future[Accepted | CrmError] = asyncio.get_running_loop().create_future()
        await self._queue.put((draft, future))
        return await future

    async def run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._write(batch)

    async def _write(
        self, batch: list[tuple[LeadDraft, asyncio.Future[Accepted | CrmError]]]
    ) -> None:
        """Store the batch; when it fails, each of its leads on its own, so a lead the
        database refuses fails alone and not every lead that came in with it.

        A database that is unavailable fails the whole batch at once: each lead alone
        would fail the same, each after its own wait (SQLite's lock: 15 s apiece).
        A failure goes to the requests waiting for it, and is logged with the answer
        they give (503 or 500); here only when none waits any longer."""
        try:
            async with self._crm.open() as core:
                outcomes = await core.intake.accept_many([draft for draft, _ in batch])
        except Exception as exc:
            if len(batch) > 1 and not database_unavailable(exc):
                log.warning("storing %d leads at once failed; storing each alone", len(batch))
                for one in batch:
                    await self._write([one])
                return
            waiting = [future for _, future in batch if not future.done()]
            for future in waiting:
                future.set_exception(exc)
            if not waiting:
                log.error("storing %d lead(s) failed", len(batch), exc_info=exc)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)


def add_lead_routes(
    web_app: web.Application,
    crm: CrmFactory,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    rate_per_minute: int = DEFAULT_RATE_PER_MINUTE,
) -> None:
    """Register ``POST /leads/{token}`` on ``web_app``, and its writer with the app's life."""
    limiter = RateLimiter(rate_per_minute)
    misses = RateLimiter(rate_per_minute)  # every token not known shares one bucket
    tokens = KnownTokens(crm)
    writer = LeadWriter(crm)

    async def source_of(token: str) -> bool:
        """Whether the token is an active source's, looked up (a known token kept known)."""
        found = await _known(crm, token)
        (tokens.learn if found else tokens.forget)(token)
        return found

    async def writer_running(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(writer.run(), name="lead-writer")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    web_app.cleanup_ctx.append(writer_running)

    async def post_lead(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        known = await tokens.known(token)
        wait = limiter.allow(token) if known else misses.allow(MISSES_KEY)
        if wait:
            reason = "too many requests" if known else TOO_MANY_MISSES
            return refuse(429, reason, {"Retry-After": str(max(1, round(wait)))})
        try:
            body = await _read_limited(request, max_body)
            if body is None:
                return refuse(413, f"the body is larger than {max_body} bytes")
            form = read_form(read_pairs(request.headers.get("Content-Type", ""), body))
        except (BodyError, LeadFormError) as exc:
            close = isinstance(exc, UndecodableBody | SlowBody)
            if not await source_of(token):
                raise _closing(web.HTTPNotFound(), close) from None
            if isinstance(exc, SlowBody):
                return body_timed_out()
            status = 415 if isinstance(exc, Unsupported) else 400
            return _closing(refuse(status, str(exc)), close)
        if form.is_test:
            if not await source_of(token):
                raise web.HTTPNotFound()
            return web.json_response({"ok": True, "test": True})
        draft = lead_draft(token, form, crm.config.default_phone_region)
        outcome = await writer.submit(draft)
        if isinstance(outcome, NotFound):
            tokens.forget(token)
            raise web.HTTPNotFound()
        if isinstance(outcome, CrmError):
            return refuse(400, outcome.code)
        tokens.learn(token)
        return web.json_response(
            {"ok": True, "lead": outcome.lead_id, "duplicate": outcome.duplicate}
        )

    web_app.router.add_post("/leads/{token}", post_lead)
    allow_browsers(web_app)  # a page's own script may post, and read the answer


async def _known(crm: CrmFactory, token: str) -> bool:
    async with crm.open() as core:
        return await core.lead_sources.by_token(token) is not None
