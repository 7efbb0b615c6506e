"""Time as a dependency, so tests and benchmarks can move it by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement

# A moment ``before`` the tick's now: a datetime, or a bind parameter when the
# statement asking "is anything due?" is built once and run on every tick.
Before = Callable[[timedelta], datetime | ColumnElement[datetime]]


def before(now: datetime) -> Before:
    """Moments before ``now`` as datetimes (for a statement run once)."""
    return lambda offset: now - offset


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta
