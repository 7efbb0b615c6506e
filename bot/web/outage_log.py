"""The log of a database that fails under a flood of requests: readable, however many.

Each request the database fails is answered 503 (``bot.web.refusals``). Logging each with
its traceback buried the log in identical tracebacks, one per request, for as long as
the database was away. Here an outage logs the traceback of its first failure (and of
the first of each other kind of failure in it), then counts the rest: one line every
``SUMMARY_SECONDS`` says how many more requests were answered 503 and why. An outage is
over when no request has failed for ``SUMMARY_SECONDS``; the next failure logs its
traceback again. What is counted but not yet told is told when the server stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from sqlalchemy import exc

SUMMARY_SECONDS = 60.0


def failure_kind(error: BaseException) -> str:
    """What failed, in a word or two: the driver's error under SQLAlchemy's wrapper."""
    kind = type(error).__name__
    if isinstance(error, exc.DBAPIError) and error.orig is not None:
        kind += f" ({type(error.orig).__name__})"
    return kind


class OutageLog:
    """One server's failed requests (``failed``), told as the module says."""

    def __init__(self, log: logging.Logger, every: float | None = None) -> None:
        self._log = log
        self._every = SUMMARY_SECONDS if every is None else every
        self._last: float | None = None  # the loop's time of the last failure
        self._shown: set[str] = set()  # kinds whose traceback this outage logged
        self._counted: Counter[str] = Counter()  # kinds not told yet
        self._counting_since = 0.0
        self._latest = ""  # the route of the last request counted
        self._timer: asyncio.TimerHandle | None = None

    def failed(self, what: str, error: BaseException) -> None:
        """``what`` (method and route) was answered 503 because of ``error``."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._last is None or now - self._last >= self._every:
            self._shown.clear()  # a new outage
        self._last = now
        kind = failure_kind(error)
        if kind not in self._shown:
            self._shown.add(kind)
            self._log.error("%s answered 503: the database failed", what, exc_info=error)
            return
        if not self._counted:
            self._counting_since = now
        self._counted[kind] += 1
        self._latest = what
        if self._timer is None:
            self._timer = loop.call_later(self._every, self.tell)

    def tell(self) -> None:
        """Log what was counted since the last time, if anything."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._counted:
            return
        seconds = asyncio.get_running_loop().time() - self._counting_since
        kinds = ", ".join(f"{kind} ×{count}" for kind, count in self._counted.most_common())
        self._log.error(
            "%d more requests answered 503 in %.0f s: the database still fails (%s; the last: %s)",
            self._counted.total(),
            seconds,
            kinds,
            self._latest,
        )
        self._counted.clear()
