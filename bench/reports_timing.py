"""Timing the owner's report and the daily digest: the periods, the calls timed, and the
statements they run.
"""

from __future__ import annotations

import dataclasses
import importlib
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import log
from bench.reports_plan import TEAM_ZONE
from crm.service import Crm, CrmFactory
from storage.models import User


def last_full_month(now: datetime) -> tuple[datetime, datetime]:
    """The team's (Moscow) previous calendar month, as aware datetimes."""
    local = now.astimezone(TEAM_ZONE)
    end = datetime(local.year, local.month, 1, tzinfo=TEAM_ZONE)
    before = end - timedelta(days=1)
    return datetime(before.year, before.month, 1, tzinfo=TEAM_ZONE), end


def yesterday(now: datetime) -> tuple[datetime, datetime]:
    """The team's previous local day, as the digest reads it."""
    day = now.astimezone(TEAM_ZONE).date() - timedelta(days=1)
    start = datetime(day.year, day.month, day.day, tzinfo=TEAM_ZONE)
    following = day + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=TEAM_ZONE)


@dataclass
class Runs:
    seconds: list[float] = field(default_factory=list)

    def figures(self, name: str) -> dict[str, float | None]:
        if not self.seconds:
            return {f"{name}_seconds": None}
        return {
            f"{name}_seconds": round(statistics.median(self.seconds), 4),
            f"{name}_first_seconds": round(self.seconds[0], 4),
            f"{name}_max_seconds": round(max(self.seconds), 4),
        }


async def timed(
    factory: CrmFactory, repeats: int, call: Callable[[Crm], Awaitable[object]]
) -> tuple[Runs, object]:
    """``call`` ``repeats`` times, each in a fresh session as an update gets one."""
    runs = Runs()
    result: object = None
    for _ in range(repeats):
        async with factory.open() as crm:
            started = time.perf_counter()
            result = await call(crm)
            runs.seconds.append(time.perf_counter() - started)
    return runs, result


SummaryCall = Callable[[User, datetime, datetime], Awaitable[object]]


DIGEST_SERVICES = ("digest", "digests")  # what the CRM may call the crm.digest service


def summary_of(crm: Crm) -> SummaryCall | None:
    for name in DIGEST_SERVICES:
        summary = getattr(getattr(crm, name, None), "summary", None)
        if callable(summary):
            return summary  # type: ignore[no-any-return]
    return None


def digest_summary(crm: Crm) -> SummaryCall | None:
    """The digest's ``summary``, if ``crm.digest`` exists and the CRM exposes it; if not,
    says why on stderr."""
    try:
        importlib.import_module("crm.digest")
    except ImportError as error:
        log(f"crm.digest is not there yet ({error}): digest_seconds is null")
        return None
    summary = summary_of(crm)
    if summary is None:
        log("crm.digest exists but the CRM has no digest(s).summary: digest_seconds is null")
    return summary


def describe(value: object) -> object:
    """A result as JSON-friendly figures: collections by their size."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: describe(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | dict | set):
        return len(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple) and all(isinstance(v, int | float) for v in value):
        return list(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def report_figures(report: Any) -> dict[str, Any]:
    return {
        "created": report.created,
        "won_count": report.won_count,
        "lost_count": report.lost_count,
        "win_rate": None if report.win_rate is None else round(report.win_rate, 3),
        "funnel": [step.reached for step in report.funnel],
        "lost_reasons": len(report.lost_reasons),
        "won_by_member": len(report.won_by_member),
        "clients_by_source": sum(count for _, count in report.clients_by_source),
    }


@contextmanager
def statement_log(engine: AsyncEngine) -> Iterator[list[tuple[float, str]]]:
    """Every statement run inside, with the time of the driver's ``execute`` in ms.

    Rows fetched after it are not in that time (SQLite steps to the first row only).
    """
    timings: list[tuple[float, str]] = []
    started: list[float] = []

    def before(*_args: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        timings.append(((time.perf_counter() - started.pop()) * 1000, statement))

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "after_cursor_execute", after)
    try:
        yield timings
    finally:
        event.remove(sync, "before_cursor_execute", before)
        event.remove(sync, "after_cursor_execute", after)
