"""Due reminders at scale, delivered through a Bot API that keeps Telegram's limits.

``python -m bench.reminders`` builds the app with the production factory on a
fresh database (SQLite by default, ``--db URL`` for PostgreSQL), with a fake
Bot API session in place of HTTP, and the real clock. Then:

* **claim**: 10,000 tasks for 500 members fall due in the same minute;
  ``Reminders.claim_due`` moves them all into the outbox (``claim_seconds``);
* **deliver**: the app's own ``OutboxSender`` (production rate limits) drains
  the outbox into the fake API, which answers 429 whenever a limit is broken
  (``delivered``, ``duplicates``, ``lost``, ``responses_429``,
  ``messages_per_second``). At 30 messages a second this takes ~5.6 minutes;
* **latency**: on the now idle system, APScheduler ticks every
  ``OUTBOX_POLL_SECONDS`` (the settings' default) and a single task falls due;
  ``single_latency_seconds`` is the longest of a few such samples, from the due
  moment to the fake API receiving the reminder.

Progress goes to stderr; the last line of stdout is one JSON object with the
figures. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.reminders_api import Delivery, LimitedBotAPI
from bench.reminders_base import (
    OWNER_ID,
    _all_task_ids,
    add_due_tasks,
    add_members,
    claim_all,
    deliver_all,
    failed_rows,
    make_settings,
    pending_rows,
    progress,
    put_off_rows,
)
from bot.app import App, build_app
from bot.startup import prepare_database
from crm.clock import SystemClock
from reminders.scheduler import build_scheduler
from storage.models import Task


async def single_latency(
    app: App, api: LimitedBotAPI, poll_seconds: float, samples: int, rng: random.Random
) -> list[float]:
    """Due moment → arrival at the API, for single tasks on an idle system with the real tick."""
    scheduler = build_scheduler(app.ticker, poll_seconds)
    scheduler.start()
    try:
        # Let anything else the tick decides (a digest for the owner) go out first.
        for _ in range(30):
            await asyncio.sleep(poll_seconds)
            if not await pending_rows(app) and not app.sender.busy:
                break
        latencies = []
        async with app.crm.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        for n in range(samples):
            due = datetime.now(UTC) + timedelta(seconds=1.5 + rng.random() * poll_seconds)
            async with app.crm.open() as crm:
                # The owner's own task: one assigned to someone else would also
                # tell them at once, with the same buttons.
                task = await crm.tasks.create(owner, f"Latency probe {n + 1}", due)
            arrival = await asyncio.wait_for(api.expect(task.id), timeout=30)
            latencies.append((arrival.wall - due).total_seconds())
            progress(f"latency sample {n + 1}: {latencies[-1]:.3f} s")
        return latencies
    finally:
        scheduler.pause()  # a graceful stop: let a tick under way finish first
        await asyncio.wait_for(app.ticker.idle(), timeout=30)
        scheduler.shutdown(wait=False)


def cpu_reference_ms() -> float:
    started = time.perf_counter()
    total = 0
    for n in range(2_000_000):
        total += n % 7
    return (time.perf_counter() - started) * 1000


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    workdir = None
    database_url = args.db
    if database_url is None:
        workdir = tempfile.TemporaryDirectory(prefix="bench-reminders-")
        database_url = f"sqlite+aiosqlite:///{Path(workdir.name) / 'bench.db'}"
    api = LimitedBotAPI(latency=(args.latency_min, args.latency_max), seed=args.seed)
    settings = make_settings(database_url)
    app = build_app(settings, session=api, clock=SystemClock())
    figures: dict[str, Any] = {
        "tasks": args.tasks,
        "users": args.users,
        "database": app.engine.dialect.name,
        "outbox_poll_seconds": settings.outbox_poll_seconds,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_ref_ms": round(cpu_reference_ms(), 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    try:
        await prepare_database(app)
        async with app.engine.connect() as conn:
            existing = await conn.scalar(select(func.count()).select_from(Task))
        if existing:
            raise SystemExit("the database already has tasks: give --db an empty database")
        now = datetime.now(UTC)
        members = await add_members(app, args.users, now)
        minute = now.replace(second=0, microsecond=0) - timedelta(minutes=1)
        progress(f"creating {args.tasks} tasks due in the minute from {minute:%H:%M} UTC")
        await add_due_tasks(app, args.tasks, members, minute, rng)

        progress("claiming")
        claim_seconds, claimed, calls = await claim_all(app, args.claim_limit)
        figures |= {
            "claim_seconds": round(claim_seconds, 3),
            "claimed": claimed,
            "claim_calls": calls,
        }
        progress(f"claimed {claimed} in {claim_seconds:.3f} s ({calls} calls)")

        progress("delivering")
        started = await deliver_all(app, api, claimed, give_up_after=args.tasks / 10 + 120)
        deliveries = list(api.deliveries)
        per_task = Counter(d.task_id for d in deliveries if d.task_id is not None)
        task_ids = await _all_task_ids(app)
        duration = (deliveries[-1].arrived - started) if deliveries else 0.0
        figures |= {
            "delivered": len(per_task),
            "duplicates": sum(n - 1 for n in per_task.values() if n > 1),
            "lost": sum(1 for task_id in task_ids if task_id not in per_task),
            "failed_rows": await failed_rows(app),
            "put_off_rows": await put_off_rows(app),
            "responses_429": api.responses_429,
            "responses_429_by_limit": dict(api.refusals),
            "max_in_any_second": api.max_in_any_second,
            "deliver_seconds": round(duration, 2),
            "messages_per_second": round(len(deliveries) / duration, 2) if duration else 0.0,
            "steady_messages_per_second": round(_steady_rate(deliveries), 2),
            "first_delivery_seconds": round(deliveries[0].arrived - started, 3)
            if deliveries
            else None,
            "longest_gaps_seconds": _longest_gaps(deliveries, started),
        }
        progress(
            f"delivered {figures['delivered']} in {duration:.1f} s "
            f"({figures['messages_per_second']}/s), 429s: {api.responses_429}"
        )

        if args.latency_samples:
            progress("single reminder latency on an idle system")
            latencies = await single_latency(
                app, api, settings.outbox_poll_seconds, args.latency_samples, rng
            )
            figures |= {
                "single_latency_seconds": round(max(latencies), 3),
                "single_latency_samples": [round(value, 3) for value in latencies],
            }
    finally:
        await app.close()
        if workdir is not None:
            workdir.cleanup()
    return figures


def _longest_gaps(
    deliveries: list[Delivery], started: float, count: int = 5
) -> list[tuple[float, float]]:
    """The longest pauses between two arrivals: (seconds into the run, length), longest first."""
    arrivals = sorted(d.arrived for d in deliveries)
    gaps = sorted(((b - a, a) for a, b in itertools.pairwise(arrivals)), reverse=True)
    return [(round(at - started, 2), round(gap, 3)) for gap, at in gaps[:count]]


def _steady_rate(deliveries: list[Delivery]) -> float:
    """Messages a second between the 10th and the 90th percentile of arrivals."""
    if len(deliveries) < 20:
        return 0.0
    first = len(deliveries) // 10
    last = len(deliveries) - 1 - first
    span = deliveries[last].arrived - deliveries[first].arrived
    return (last - first) / span if span > 0 else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--claim-limit",
        type=int,
        default=None,
        help="the limit given to each claim_due call (default: --tasks, all in one call)",
    )
    parser.add_argument("--latency-samples", type=int, default=5)
    parser.add_argument("--latency-min", type=float, default=0.03)
    parser.add_argument("--latency-max", type=float, default=0.08)
    parser.add_argument("--seed", type=int, default=20260302)
    args = parser.parse_args(argv)
    if args.claim_limit is None:
        args.claim_limit = max(args.tasks, 1)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    figures = asyncio.run(run(args))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
