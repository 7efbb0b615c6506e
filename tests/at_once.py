"""Two writers at once: the other one is a second connection holding its transaction open."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")


async def once_other_commits(other: AsyncConnection, work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``, check that it waits for ``other``'s open transaction, commit that,
    and return what ``work`` returns."""
    working = asyncio.create_task(work)
    await asyncio.sleep(0.2)
    assert not working.done()  # it waits for the other transaction
    await other.commit()
    return await working
