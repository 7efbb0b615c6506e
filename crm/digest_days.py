"""Which local day a reader's digest is for, and which days they have had one for.

A digest is queued once per reader and local day, under a key of both. A reader who
moves their time zone far west after today's digest is back in a day their clocks
already showed them (in Tokyo on the 10th at 09:00, in Honolulu it is the 9th at
14:00): that day's digest, and the next one's on the 10th, would be a second of a day
they have had. A day is not given one when a later day has had one already; the days
skipped are the price of crossing back over the date (going east, a day is shorter).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.outbox import OutboxKind
from storage.models import OutboxMessage

DIGEST_KINDS = (OutboxKind.DIGEST, OutboxKind.MORNING)
# Local dates at one moment differ by two days at most (UTC+14 and UTC−12).
LATER_DAYS = 2


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def digest_key(kind: str, reader_id: int, day: str) -> str:
    return f"{kind}:{reader_id}:{day}"


async def seen_later(session: AsyncSession, due: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of ``due`` (reader, local day), those whose reader had a digest or a morning list
    queued for a later day."""
    later = {
        digest_key(kind, reader_id, (date.fromisoformat(day) + timedelta(days=n)).isoformat()): (
            reader_id,
            day,
        )
        for reader_id, day in due
        for kind in DIGEST_KINDS
        for n in range(1, LATER_DAYS + 1)
    }
    if not later:
        return set()
    found = await session.scalars(
        select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(later))
    )
    return {later[key] for key in found}


class DigestsDone:
    """The digests this process has queued, by reader and local day.

    Only in memory: after a restart the first tick offers the day's digests to
    the outbox again, and its dedupe key drops them. Days older than the
    newest one seen are forgotten, so it holds at most two days' worth.

    ``quiet_until`` is when a reader's digest may next fall due: until then a
    tick does not even read the readers. It is never more than ``RECHECK``
    ahead, so a new member, a new time zone or a new digest hour is seen
    within a minute.
    """

    def __init__(self) -> None:
        self._done: dict[str, set[tuple[str, int]]] = {}
        self.quiet_until: datetime | None = None

    def has(self, kind: str, reader_id: int, day: str) -> bool:
        return (kind, reader_id) in self._done.get(day, ())

    def add(self, kind: str, reader_id: int, day: str) -> None:
        self._done.setdefault(day, set()).add((kind, reader_id))
        newest = max(self._done)
        for old in [d for d in self._done if d < newest]:
            if date.fromisoformat(old) < date.fromisoformat(newest) - timedelta(days=1):
                del self._done[old]


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
