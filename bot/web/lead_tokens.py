"""Which URL tokens are the lead sources', known without a database lookup per request.

A made-up token is a 404, but each one used to get a rate-limit bucket of its own and a
database lookup: a flood of random tokens was never held back. The hashes of the active
sources' tokens (at most 50) are kept in memory, read again when a token is not among them,
at most once every ``RELOAD_SECONDS`` (a source added, or its token replaced, on another
instance is known within that; in this process, at once: ``crm.intake.issued``). A request
whose token is not known takes from one bucket that every such request shares: past it,
429 with ``Retry-After`` and nothing looked up. A known token never takes from it, so its
source's forms keep their own bucket however many made-up tokens are sent. One bucket, not
one per client address: behind the proxy (Caddyfile) every request comes from the proxy,
and ``X-Forwarded-For`` says whatever a client that reaches the server directly writes in it.
"""

from __future__ import annotations

import asyncio
import logging
import time

from crm.intake.sources import MAX_TOKEN
from crm.service import CrmFactory
from crm.tokens import token_hash

log = logging.getLogger(__name__)

RELOAD_SECONDS = 1.0
MISSES_KEY = "unknown tokens"
TOO_MANY_MISSES = "too many requests to unknown lead addresses"


class KnownTokens:
    """The active sources' token hashes, as last read (one per server, with its route)."""

    def __init__(self, crm: CrmFactory, reload_seconds: float = RELOAD_SECONDS) -> None:
        self._crm = crm
        self._reload_seconds = reload_seconds
        self._hashes: frozenset[str] = frozenset()
        self._loaded_at: float | None = None
        self._loading = asyncio.Lock()
        self._unread = False  # the last read failed
        # A source made (or its token replaced) in this process is known at once: its first
        # form is not taken for a made-up token's (429 while their bucket is spent). Other
        # instances learn it at their next read, within ``RELOAD_SECONDS``.
        crm.issued_tokens.listen(self._issued)

    async def known(self, token: str) -> bool:
        """Whether ``token`` is an active source's, as read at most ``RELOAD_SECONDS`` ago."""
        if not token or len(token) > MAX_TOKEN:
            return False
        digest = token_hash(token)
        if digest not in self._hashes and self._stale():
            async with self._loading:  # requests at once: one reads, the others wait for it
                if self._stale():
                    await self._reload()
        # Unread (the database down): given the benefit of the doubt, the form goes on to
        # the writer, which answers 503 while the database is down, 404 if it is no token.
        return digest in self._hashes or self._unread

    async def _reload(self) -> None:
        """The tokens read again; tried again no sooner than ``RELOAD_SECONDS`` after a
        failure too (requests piled up behind the lock, each trying, while it was down)."""
        try:
            async with self._crm.open() as core:
                self._hashes = await core.lead_sources.token_hashes()
            self._unread = False
        except Exception as error:
            log.warning("lead sources' tokens not read: %r", error)
            self._unread = True
        finally:
            self._loaded_at = time.monotonic()

    def learn(self, token: str) -> None:
        """A source's token found by a lookup before the next read."""
        self._hashes = self._hashes | {token_hash(token)}

    def _issued(self, digest: str, replaced: str | None) -> None:
        self._hashes = (self._hashes - {replaced}) | {digest}

    def forget(self, token: str) -> None:
        """A token replaced or its source deleted since the last read."""
        self._hashes = self._hashes - {token_hash(token)}

    def _stale(self) -> bool:
        loaded = self._loaded_at
        return loaded is None or time.monotonic() - loaded >= self._reload_seconds
