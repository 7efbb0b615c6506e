"""SQLite's writers of one process queue in the event loop, not in SQLite's busy handler.

A write transaction that finds SQLite's write lock taken waits in SQLite's busy
handler, which sleeps and retries with growing pauses (1, 2, 5, 10, … 100 ms):
a reply whose write met a 20 ms batch could wake 15 ms after the lock was
free. So the writers of this process take a turn here first (one
``asyncio.Lock`` per engine and event loop) and are woken the moment the one
before them commits. SQLite's own lock still guards against other processes
(the command line, a second bot by mistake). A task already holding the turn
passes through; a turn not given within the busy timeout is not waited for any
longer, and SQLite's own wait decides, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine


class WriteGate:
    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        held = False
        if task is None or self._holder is not task:
            try:
                async with asyncio.timeout(self._timeout):  # no task made, unlike wait_for
                    await self._lock.acquire()
                held, self._holder = True, task
            except TimeoutError:
                pass  # SQLite's busy handler waits from here, as it always did
        try:
            yield
        finally:
            if held:
                self._holder = None
                self._lock.release()


_gates: WeakKeyDictionary[Engine, WeakKeyDictionary[asyncio.AbstractEventLoop, WriteGate]] = (
    WeakKeyDictionary()
)


def gate_for(engine: Engine, timeout: float) -> WriteGate:
    """The gate of this engine in the running event loop."""
    per_loop = _gates.setdefault(engine, WeakKeyDictionary())
    loop = asyncio.get_running_loop()
    gate = per_loop.get(loop)
    if gate is None:
        gate = per_loop[loop] = WriteGate(timeout)
    return gate
