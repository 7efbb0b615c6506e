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
import json
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bench.base_words import NOW, OWNER_ID
from bench.common import cpu_reference_ms, log
from bench.reports_base import generate
from bench.reports_plan import FIRST_MANAGER_ID
from bench.reports_timing import (
    describe,
    digest_summary,
    last_full_month,
    report_figures,
    statement_log,
    summary_of,
    timed,
    yesterday,
)
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.service import Crm, CrmFactory
from storage.engine import create_engine, create_session_factory


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
