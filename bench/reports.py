"""The owner's report and the daily digest on a large generated base (SQLite).

``python -m bench.reports`` builds a fresh database through the real migrations:
clients, their timelines, tasks and the team come from the generator of
``bench.clients`` (100,000 clients, 1,000,000 events, 20 members by default);
on top of it go 50,000 deals created over two years, each with the stage
history ``crm.deals`` would have written (``deal_created``, ``stage_changed``,
``deal_won``, ``deal_lost``, a few ``deal_reopened``), in time order among the
other events. Then it times

* ``report``: ``Reports.report`` (funnel, totals, win rate, lost reasons, who
  won what, new clients by source) for the last full month, as the owner and as
  a manager;
* ``digest``: the owner's daily summary for yesterday (``summary`` of the
  ``crm.digest`` service), when that exists; otherwise it says so and reports
  ``null``.

Progress goes to stderr; the last line of stdout is one JSON object with the
figures. See ``bench/README.md`` for how to read them.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import dataclasses
import importlib
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, event, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.clients import (
    BATCH,
    DEAL_TITLES,
    LOST_REASONS,
    NOW,
    OWNER_ID,
    PIPELINES,
    Counts,
    Generator,
    client_tasks,
    cpu_reference_ms,
    insert_rows,
    load_clients,
    load_events,
    load_pipelines,
    load_team,
    log,
    moment,
    plan_events,
    seconds,
)
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.service import Crm, CrmFactory
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import Deal, Task, User

DEAL_HISTORY = timedelta(days=730)
FIRST_MANAGER_ID = 200_001
TEAM_ZONE = ZoneInfo(CrmConfig().default_timezone)


# --- deals with their stage histories ------------------------------------------------------


@dataclass(frozen=True)
class StageInfo:
    id: int
    name: str
    kind: str
    stale_days: int | None


@dataclass(frozen=True)
class Move:
    """One stage event of a deal, as ``crm.deals`` writes it."""

    at: int  # seconds after bench.clients.START
    kind: str
    source: StageInfo | None
    target: StageInfo
    reason: str | None = None


@dataclass
class DealPlan:
    pipeline_id: int
    title: str
    amount: int
    moves: list[Move]
    client_index: int = -1
    manager_id: int = OWNER_ID

    @property
    def stage(self) -> StageInfo:
        return self.moves[-1].target

    @property
    def created(self) -> int:
        return self.moves[0].at


@dataclass
class DealCounts:
    deals: int = 0
    open: int = 0
    won: int = 0
    lost: int = 0
    reopened: int = 0
    events: int = 0
    unreachable_members: int = 0


def stage_infos(stages: Sequence[tuple[int, int, str]]) -> dict[int, list[StageInfo]]:
    """The stages ``load_pipelines`` wrote, by pipeline, with their names and stale days."""
    described = [stage for _, pipeline_stages in PIPELINES for stage in pipeline_stages]
    by_pipeline: dict[int, list[StageInfo]] = {}
    for (pipeline_id, stage_id, kind), (name, _kind, stale) in zip(stages, described, strict=True):
        by_pipeline.setdefault(pipeline_id, []).append(StageInfo(stage_id, name, kind, stale))
    return by_pipeline


def deal_moves(
    rng: random.Random, stages: Sequence[StageInfo], created: int, now_s: int
) -> list[Move]:
    """A deal's way through the pipeline until it closes, is forgotten, or NOW comes.

    From an open stage the next step, some days later (about the stage's stale
    days), is mostly forward (now and then over a stage), sometimes lost, back,
    or won straight away; from the last open stage mostly won. A few lost deals
    are reopened on the stage they were lost from, as ``Deals.reopen`` does. A
    deal nobody touches again stays where it is and goes stale.
    """
    opened = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    moves = [Move(created, "deal_created", None, opened[0])]
    at, pos, current = created, 0, opened[0]
    while current.kind != "won":
        days = 0.7 * (current.stale_days or 10)
        at += int(max(rng.expovariate(1 / days), 0.02) * 86_400)
        if at >= now_s:
            break
        roll = rng.random()
        if current.kind == "lost":
            if roll >= 0.04:
                break
            moves.append(Move(at, "deal_reopened", current, opened[pos]))
            current = opened[pos]
            continue
        last = pos == len(opened) - 1
        if roll < 0.05:
            break  # forgotten
        if roll < 0.25:
            moves.append(Move(at, "deal_lost", current, lost, rng.choice(LOST_REASONS)))
            current = lost
        elif roll < 0.28 and pos > 0:
            pos -= 1
            moves.append(Move(at, "stage_changed", current, opened[pos]))
            current = opened[pos]
        elif roll < 0.31 or last:
            moves.append(Move(at, "deal_won", current, won))
            current = won
        else:
            pos = min(pos + (2 if rng.random() < 0.15 else 1), len(opened) - 1)
            moves.append(Move(at, "stage_changed", current, opened[pos]))
            current = opened[pos]
    return moves


def plan_deals(
    rng: random.Random, pipelines: dict[int, list[StageInfo]], n_deals: int
) -> list[DealPlan]:
    """Deals created over the last two years, more lately (the business grows), oldest first."""
    now_s = seconds(NOW)
    span = int(DEAL_HISTORY.total_seconds()) - 3_600
    first = now_s - int(DEAL_HISTORY.total_seconds())
    deals = []
    for _ in range(n_deals):
        # Density rises linearly to twice the starting rate: invert its CDF.
        share = math.sqrt(1 + 3 * rng.random()) - 1
        created = first + int(share * span)
        pipeline_id = 1 if rng.random() < 0.8 else 2
        amount = round(math.exp(rng.uniform(math.log(5_000), math.log(5_000_000))), -2) * 100
        deals.append(
            DealPlan(
                pipeline_id=pipeline_id,
                title=rng.choice(DEAL_TITLES).format(n=rng.randrange(10, 9999)),
                amount=int(amount),
                moves=deal_moves(rng, pipelines[pipeline_id], created, now_s),
            )
        )
    deals.sort(key=lambda d: d.created)
    return deals


def assign_clients(rng: random.Random, deals: Sequence[DealPlan], created_s: Sequence[int]) -> None:
    """Each deal goes to a client that existed before it: mostly a recent lead, else anyone."""
    for deal in deals:
        before = max(bisect.bisect_left(created_s, deal.created - 600), 1)
        recent = bisect.bisect_left(created_s, deal.created - 60 * 86_400)
        low = recent if rng.random() < 0.6 and recent < before else 0
        deal.client_index = rng.randrange(low, before)


def stage_data(stage: StageInfo, prefix: str) -> dict[str, object]:
    # As crm.event_data.stage_move: id, code (these stages have names, no codes), name.
    return {prefix: stage.id, f"{prefix}_code": None, f"{prefix}_name": stage.name}


def deal_rows(
    deal_id: int, deal: DealPlan, rng: random.Random
) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    """The deal's row and its events as (seconds, row), the way ``crm.deals`` writes them."""
    last = deal.moves[-1]
    closing = last if last.target.kind != "open" else None
    row = dict(
        id=deal_id,
        client_id=deal.client_index + 1,
        pipeline_id=deal.pipeline_id,
        stage_id=last.target.id,
        title=deal.title,
        amount_minor=deal.amount,
        currency="RUB",
        manager_id=deal.manager_id,
        lost_reason=closing.reason if closing else None,
        expected_close=None,
        created_by=deal.manager_id,
        created_at=moment(deal.created),
        stage_changed_at=moment(last.at),
        last_activity_at=moment(last.at),
        closed_at=moment(closing.at) if closing else None,
    )
    events = []
    for move in deal.moves:
        data: dict[str, object]
        if move.source is None:
            data = {"title": deal.title, "amount": deal.amount, "currency": "RUB"}
            data.update(stage_data(move.target, "to"))
        else:
            data = {**stage_data(move.source, "from"), **stage_data(move.target, "to")}
            data.update(amount=deal.amount, currency="RUB")
            if move.reason is not None:
                data["reason"] = move.reason
        events.append(
            (
                move.at,
                dict(
                    occurred_at=moment(move.at),
                    actor_id=deal.manager_id if rng.random() < 0.85 else OWNER_ID,
                    kind=move.kind,
                    client_id=deal.client_index + 1,
                    deal_id=deal_id,
                    task_id=None,
                    text=None,
                    data=data,
                ),
            )
        )
    return row, events


def load(
    conn: Connection,
    seed: int,
    n_clients: int,
    n_events: int,
    n_deals: int,
    n_members: int,
) -> tuple[Counts, DealCounts]:
    """Fill an empty, migrated database; ``n_events`` counts the deals' events too."""
    conn.exec_driver_sql("PRAGMA cache_size=-262144")
    rng = random.Random(seed)
    deal_rng = random.Random(seed + 2)
    gen = Generator(rng)
    counts = Counts()
    deal_counts = DealCounts()
    manager_ids = tuple(range(FIRST_MANAGER_ID, FIRST_MANAGER_ID + n_members - 1))

    load_team(conn, gen, manager_ids)
    # A member or two blocked the bot: the digest names them.
    unreachable = manager_ids[3::10]
    conn.execute(
        update(User).where(User.id.in_(unreachable)).values(unreachable_at=NOW - timedelta(days=3))
    )
    deal_counts.unreachable_members = len(unreachable)
    pipelines = stage_infos(load_pipelines(conn))
    conn.commit()

    deals = plan_deals(deal_rng, pipelines, n_deals)
    deal_events = sum(len(d.moves) for d in deals)
    client_events = max(n_events - deal_events, n_clients)
    log(f"  planned {n_deals:,} deals with {deal_events:,} stage events")
    plan = plan_events(rng, n_clients, client_events)
    assign_clients(deal_rng, deals, plan.created_s)
    for deal in deals:
        plan.last_s[deal.client_index] = max(plan.last_s[deal.client_index], deal.moves[-1].at)
    plans = load_clients(conn, rng, gen, plan, counts, manager_ids)

    rows: list[dict[str, Any]] = []
    events: list[tuple[int, dict[str, Any]]] = []
    open_deals: dict[int, list[int]] = {}
    for deal_id, deal in enumerate(deals, start=1):
        client = plans[deal.client_index]
        if deal_rng.random() < 0.05:
            deal.manager_id = OWNER_ID
        else:
            deal.manager_id = client.manager_id or deal_rng.choice(manager_ids)
        row, deal_events_rows = deal_rows(deal_id, deal, deal_rng)
        rows.append(row)
        events.extend(deal_events_rows)
        kind = deal.stage.kind
        deal_counts.open += kind == "open"
        deal_counts.won += kind == "won"
        deal_counts.lost += kind == "lost"
        deal_counts.reopened += sum(m.kind == "deal_reopened" for m in deal.moves)
        if kind == "open":
            open_deals.setdefault(deal.client_index, []).append(deal_id)
        if len(rows) >= BATCH:
            insert_rows(conn, Deal, rows)
    insert_rows(conn, Deal, rows)
    deal_counts.deals = counts.deals = len(deals)
    deal_counts.events = len(events)
    tasks: list[dict[str, Any]] = []
    for index, client in enumerate(plans):
        tasks.extend(
            client_tasks(
                rng, client, index + 1, plan.extra[index], open_deals.get(index, ()), counts
            )
        )
        if len(tasks) >= BATCH:
            insert_rows(conn, Task, tasks)
    insert_rows(conn, Task, tasks)
    conn.commit()
    log(f"  inserted {len(deals):,} deals, {counts.tasks_open + counts.tasks_done:,} tasks")

    events.sort(key=lambda item: item[0])
    load_events(conn, rng, gen, plans, plan, counts, events, manager_ids)
    # No ANALYZE: the app never runs it, so the planner works without statistics here too.
    return counts, deal_counts


async def generate(
    url: str, seed: int, n_clients: int, n_events: int, n_deals: int, n_members: int
) -> tuple[Counts, DealCounts]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            return await conn.run_sync(load, seed, n_clients, n_events, n_deals, n_members)
    finally:
        await engine.dispose()


# --- measuring ----------------------------------------------------------------------------


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


async def measure(url: str, repeats: int, statements: bool) -> dict[str, Any]:
    month_start, month_end = last_full_month(NOW)
    day_start, day_end = yesterday(NOW)
    engine = create_engine(url)
    factory = CrmFactory(create_session_factory(engine), ManualClock(NOW), CrmConfig())
    result: dict[str, Any] = {
        "month": month_start.date().isoformat()[:7],
        "day": day_start.date().isoformat(),
    }
    try:
        async with factory.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
            manager = await crm.members.get_active(FIRST_MANAGER_ID)
            summary = digest_summary(crm)
        assert owner is not None and manager is not None

        log(f"timing the report for {result['month']} as the owner, {repeats} times")
        runs, report = await timed(
            factory, repeats, lambda crm: crm.reports.report(owner, month_start, month_end)
        )
        result.update(runs.figures("report_month"))
        result["report_month_all_seconds"] = [round(s, 4) for s in runs.seconds]
        log(f"timing the report for {result['month']} as a manager, {repeats} times")
        manager_runs, _ = await timed(
            factory, repeats, lambda crm: crm.reports.report(manager, month_start, month_end)
        )
        result.update(manager_runs.figures("report_month_manager"))
        result["report_month_figures"] = report_figures(report)

        async def digest(crm: Crm) -> object:
            call = summary_of(crm)
            assert call is not None
            return await call(owner, day_start, day_end)

        if summary is None:
            result["digest_seconds"] = None
        else:
            log(f"timing the digest for {result['day']} as the owner, {repeats} times")
            try:
                digest_runs, found = await timed(factory, repeats, digest)
            except Exception as error:  # a digest still being written may fail; say so
                log(f"the digest failed: {error!r}: digest_seconds is null")
                result["digest_seconds"] = None
                result["digest_error"] = repr(error)
            else:
                result.update(digest_runs.figures("digest"))
                result["digest_all_seconds"] = [round(s, 4) for s in digest_runs.seconds]
                result["digest_figures"] = describe(found)

        if statements:
            calls: list[tuple[str, Callable[[Crm], Awaitable[object]]]] = [
                ("report", lambda crm: crm.reports.report(owner, month_start, month_end))
            ]
            if summary is not None:
                calls.append(("digest", digest))
            for name, call in calls:
                with statement_log(engine) as timings:
                    await timed(factory, 1, call)
                log(f"statements of one {name}:")
                for ms, sql in timings:
                    log(f"  {ms:8.1f} ms  {' '.join(sql.split())[:160]}")
    finally:
        await engine.dispose()
    return result


# --- running ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="all timeline events, the deals' included"
    )
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument(
        "--members", type=int, default=20, help="the team: the owner and N-1 managers"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed calls of each kind")
    parser.add_argument(
        "--statements", action="store_true", help="also log each statement's time to stderr"
    )
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument(
        "--reuse", action="store_true", help="measure an existing --db without generating"
    )
    args = parser.parse_args(argv)
    if args.members < 2:
        parser.error("--members must be at least 2 (the owner and a manager)")
    if args.clients < 1 or args.repeats < 1 or args.deals < 0:
        parser.error("--clients and --repeats must be positive, --deals not negative")
    return args


async def run(args: argparse.Namespace, path: Path, generate_first: bool) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{path}"
    result: dict[str, Any] = {
        "clients": args.clients,
        "events": args.events,
        "deals": args.deals,
        "members": args.members,
    }
    if generate_first:
        log(
            f"generating {args.clients:,} clients, {args.events:,} events, {args.deals:,} deals "
            f"and {args.members} members into {path}"
        )
        started = time.perf_counter()
        counts, deal_counts = await generate(
            url, args.seed, args.clients, args.events, args.deals, args.members
        )
        result["generate_s"] = round(time.perf_counter() - started, 1)
        result.update({f"n_{k}": v for k, v in vars(counts).items()})
        result.update({f"n_deals_{k}": v for k, v in vars(deal_counts).items() if k != "deals"})
        log(f"generated in {result['generate_s']} s")
    result.update(await measure(url, args.repeats, args.statements))
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews times
    result["cpu_ref_ms"] = cpu_reference_ms()
    result["cpus"] = os.cpu_count()
    result["sqlite"] = sqlite3.sqlite_version
    result["python"] = platform.python_version()
    return result


def run_on(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    exists = path.exists()
    if exists and not args.reuse:
        raise SystemExit(f"{path} exists; remove it or pass --reuse")
    result = asyncio.run(run(args, path, generate_first=not exists))
    result["db_mb"] = round(path.stat().st_size / 2**20, 1)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.db is not None:
        result = run_on(args, args.db)
    else:
        with tempfile.TemporaryDirectory(prefix="kartoteka-bench-") as tmp:
            result = run_on(args, Path(tmp) / "bench.db")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
