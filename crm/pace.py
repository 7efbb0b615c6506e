"""Background work gives way to members: one ``Pace`` per process.

The bot answers members and does long background work (a rule's thousand
firings after an import, the import itself) in one event loop, and on SQLite
with one writer at a time. Left alone, a member's reply waits for whatever
batch is under way: its CPU slices and its write lock. So every session opened
for a member (an update, a form post) is counted here while it is open, and
background work asks before each small unit whether a member is being
answered: if so it ends its transaction early and waits (``give_way``) until
nobody is, or at most ``max_wait`` so that it cannot be starved by a busy
team. With several instances on PostgreSQL each process paces its own loop;
there is no shared write lock there to give way on.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

MAX_WAIT_SECONDS = 0.5
# A member seen this recently makes background units small.
RECENT_SECONDS = 2.0


class Pace:
    def __init__(self, max_wait: float = MAX_WAIT_SECONDS) -> None:
        self._max_wait = max_wait
        # Open member sessions by the task that opened them: a job run inside a member's
        # own update (a test, say) never waits for itself.
        self._members: Counter[asyncio.Task[Any] | None] = Counter()
        self._left_at = -RECENT_SECONDS  # when the last member's session closed
        self._left = asyncio.Event()  # set (and replaced) whenever a member's session closes

    @contextmanager
    def member(self) -> Iterator[None]:
        """Count a member's session as open for as long as the block runs."""
        task = self.arrive()
        try:
            yield
        finally:
            self.leave(task)

    def arrive(self) -> asyncio.Task[Any] | None:
        """A member's session opens (``member``, unrolled): what ``leave`` is given."""
        task = _current_task()
        self._members[task] += 1
        return task

    def leave(self, task: asyncio.Task[Any] | None) -> None:
        """The member's session that ``arrive`` counted for ``task`` is closed."""
        self._members[task] -= 1
        if not self._members[task]:
            del self._members[task]
        self._left_at = time.monotonic()
        self._left.set()
        self._left = asyncio.Event()

    @property
    def busy(self) -> bool:
        """Whether a member is being answered right now (by another task than this one)."""
        task = _current_task()
        return any(other is not task for other in self._members)

    @property
    def recently_busy(self) -> bool:
        """Whether a member is being answered or was in the last couple of seconds."""
        return self.busy or time.monotonic() - self._left_at < RECENT_SECONDS

    async def give_way(self) -> None:
        """Return once no member is being answered, or after ``max_wait`` at most.

        Always lets the event loop run once, so callbacks that are ready go first.
        """
        await asyncio.sleep(0)
        deadline = time.monotonic() + self._max_wait
        while self.busy and (left := deadline - time.monotonic()) > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._left.wait(), left)


def _current_task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no event loop running
        return None


class Chunks:
    """How many rows a background job writes in its next transaction.

    As many as take about ``quiet`` seconds while no member is around, and
    about ``busy`` seconds while members are (a member's write waits for the
    transaction under way), measured from the job's own last chunks.
    """

    def __init__(
        self,
        pace: Pace,
        first: int = 200,
        least: int = 20,
        most: int = 2000,
        quiet: float = 0.25,
        busy: float = 0.02,
    ) -> None:
        self._pace = pace
        self._least, self._most = least, most
        self._quiet, self._busy = quiet, busy
        self._per_row: float | None = None
        self._first = first

    def size(self) -> int:
        if self._per_row is None:
            return self._first
        target = self._busy if self._pace.recently_busy else self._quiet
        return max(self._least, min(self._most, int(target / max(self._per_row, 1e-6))))

    def took(self, rows: int, seconds: float) -> None:
        if rows:
            self._per_row = seconds / rows
