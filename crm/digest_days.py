"""Which local day a reader's digest is for, and whether they have had that day's.

A digest is queued once per reader and local day they live through, a local day being
a date in the zone they are in: in Tarawa (UTC+12) the 10th is 12:00 UTC on the 9th to
12:00 UTC on the 10th, in Honolulu (UTC−10) 10:00 UTC on the 10th to 10:00 UTC on the
11th. A reader who moves their zone does not live the same day twice, nor skip one: a
day whose digest hour comes is given one unless a digest of that kind was queued for
them since the day began, by the clock they have now. So moving west from Tarawa after
the 10th's digest (09:00 there is 11:00 of the 9th in Honolulu) gives nothing more on
Honolulu's 9th, and the 10th's at 09:00 in Honolulu; moving east, a digest had at 07:00
by the new clock is that day's. The outbox key names the day by its local midnight, with
its offset from UTC, so the two 10ths are two keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.outbox import OutboxKind
from storage.models import OutboxMessage

DIGEST_KINDS = (OutboxKind.DIGEST, OutboxKind.MORNING)


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def digest_key(kind: str, reader_id: int, day_start: datetime) -> str:
    """The outbox key of a reader's digest of the local day that starts at ``day_start``
    (local midnight, ``2026-03-10T00:00+12:00``)."""
    return f"{kind}:{reader_id}:{day_start.isoformat(timespec='minutes')}"


async def had_since(
    session: AsyncSession, due: Iterable[tuple[int, str, datetime]]
) -> set[tuple[int, str]]:
    """Of ``due`` (reader, kind, the start of their local day), those who had a digest of
    that kind queued since that start."""
    starts = {(reader_id, kind): start for reader_id, kind, start in due}
    if not starts:
        return set()
    rows = await session.execute(
        select(OutboxMessage.chat_id, OutboxMessage.kind, func.max(OutboxMessage.created_at))
        .where(
            OutboxMessage.chat_id.in_({reader_id for reader_id, _ in starts}),
            OutboxMessage.kind.in_(DIGEST_KINDS),
        )
        .group_by(OutboxMessage.chat_id, OutboxMessage.kind)
    )
    return {
        (reader_id, kind)
        for reader_id, kind, last in rows
        if (reader_id, kind) in starts and last >= starts[reader_id, kind]
    }


class DigestsDone:
    """The local days this process has settled, by reader and kind: the start of the
    latest one whose digest was queued or found had.

    Only in memory: after a restart the first tick asks the outbox again whether each
    day's digest was had (``had_since``). A day that starts no later than the one kept
    (the same day, or one lived again after a move west) is settled too.

    ``quiet_until`` is when a reader's digest may next fall due: until then a
    tick does not even read the readers. It is never more than ``RECHECK``
    ahead, so a new member, a new time zone or a new digest hour is seen
    within a minute.
    """

    def __init__(self) -> None:
        self._settled: dict[tuple[str, int], datetime] = {}
        self.quiet_until: datetime | None = None

    def has(self, kind: str, reader_id: int, day_start: datetime) -> bool:
        settled = self._settled.get((kind, reader_id))
        return settled is not None and settled >= day_start

    def add(self, kind: str, reader_id: int, day_start: datetime) -> None:
        settled = self._settled.get((kind, reader_id))
        if settled is None or settled < day_start:
            self._settled[kind, reader_id] = day_start


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
