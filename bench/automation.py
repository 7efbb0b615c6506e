"""Automation's cost: moving a deal with 20 active rules, and 10,000 "client created" firings.

``python -m bench.automation`` builds the app with the production factory on a
fresh database (SQLite by default, ``--db URL`` for an empty PostgreSQL one)
and the real clock. Then:

* **move**: ``Deals.move`` back and forth between two stages, ``--moves`` times
  without rules and again with 20 active rules (5 on entering a stage, of which
  the one for the target stage matches and queues a firing; 5 on won/lost;
  5 on new clients; 5 on field changes): ``move_p95_ms_without``,
  ``move_p95_ms_with`` and ``move_p95_added_ms`` (the goal: at most 5 ms);
* **firings**: ``--clients`` clients are created (like an import), each
  setting off a "client created" rule (a task "Call back {client.name}" in 15
  minutes and a tag); then the app's ``Automation.tick`` is called until all
  firings are done: ``firings_seconds`` (the goal: within 60 s). Meanwhile a
  "reply" (a comment on a client, a write like most of the bot's replies) is
  timed over and over: ``reply_p95_ms_idle`` against ``reply_p95_ms_busy``
  (the goal: at most 2×); ``reply_p95_ms_idle_after``: idle again once the
  firings are done, on the base they have grown. Idle replies are timed for
  ``--idle-seconds`` (10 by default, ~450 replies: with 3 s, ~135, a p95 moved
  by a single slow one); ``reply_samples_idle`` counts those of the first window.

Progress goes to stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.app import App, build_app
from bot.config import Settings
from bot.offline import OfflineSession
from bot.startup import prepare_database
from crm.clients import ClientDraft
from crm.clock import SystemClock
from storage.models import AutomationFiring, Client, Task, User

OWNER_ID = 100_001


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000 if len(samples) > 1 else 0.0


async def owner(app: App) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def time_moves(
    app: App, deal_ids: list[int], stages: tuple[int, int], moves: int, where: dict[int, int]
) -> list[float]:
    """Move deals in turn to whichever of ``stages`` each is not on; the seconds each took."""
    me = await owner(app)
    samples = []
    for n in range(moves):
        deal_id = deal_ids[n % len(deal_ids)]
        target = stages[0] if where.get(deal_id) != stages[0] else stages[1]
        async with app.crm.open() as crm:
            started = time.perf_counter()
            await crm.deals.move(me, deal_id, target)
            samples.append(time.perf_counter() - started)
        where[deal_id] = target
    return samples


async def add_rules(app: App, stages: list[int]) -> None:
    me = await owner(app)
    tell = [{"type": "notify", "to": "owner", "text": "{deal.title}: {deal.amount}"}]
    async with app.crm.open() as crm:
        for n in range(5):
            await crm.automation.add(
                me, f"Stage {n}", "deal_entered_stage", {"stage_id": stages[n]}, tell
            )
            await crm.automation.add(me, f"Won {n}", "deal_won" if n % 2 else "deal_lost", {}, tell)
            await crm.automation.add(
                me,
                f"New {n}",
                "client_created",
                {"source": f"source {n}"},
                [{"type": "add_tag", "tag": "new"}],
            )
            await crm.automation.add(
                me, f"Field {n}", "field_changed", {"field": "deal.amount"}, tell
            )


async def bench_moves(app: App, args: argparse.Namespace, figures: dict[str, Any]) -> None:
    me = await owner(app)
    async with app.crm.open() as crm:
        stage_rows = [s for s in await crm.pipelines.stages() if s.kind == "open"]
        deal_ids = []
        for n in range(args.deals):
            client = await crm.clients.create(me, ClientDraft(name=f"Deal client {n}"), force=True)
            assert isinstance(client, Client)
            deal_ids.append((await crm.deals.create(me, client.id, 100_000 + n)).id)
    stages = (stage_rows[1].id, stage_rows[2].id)
    where: dict[int, int] = {}
    await time_moves(app, deal_ids, stages, args.deals, where)  # warm up
    without = await time_moves(app, deal_ids, stages, args.moves, where)
    await add_rules(app, [s.id for s in stage_rows])
    with_rules = await time_moves(app, deal_ids, stages, args.moves, where)
    figures |= {
        "move_p95_ms_without": round(p95(without), 2),
        "move_p95_ms_with": round(p95(with_rules), 2),
        "move_p95_added_ms": round(p95(with_rules) - p95(without), 2),
    }
    progress(f"moves: {figures}")
    async with app.crm.open() as crm:  # leave only the firings bench's rule active
        for summary in await crm.automation.rules(me):
            await crm.automation.set_paused(me, summary.rule.id, True)


async def reply_loop(app: App, client_id: int, stop: asyncio.Event, samples: list[float]) -> None:
    me = await owner(app)
    while not stop.is_set():
        async with app.crm.open() as crm:
            started = time.perf_counter()
            await crm.timeline.comment(me, client_id, "Called, will think")
            samples.append(time.perf_counter() - started)
        await asyncio.sleep(0.02)


async def bench_firings(app: App, args: argparse.Namespace, figures: dict[str, Any]) -> None:
    me = await owner(app)
    async with app.crm.open() as crm:
        await crm.automation.add(
            me,
            "Call new leads",
            "client_created",
            {},
            [
                {"type": "create_task", "title": "Call back {client.name}", "due_minutes": 15},
                {"type": "add_tag", "tag": "lead"},
            ],
        )
        probe = await crm.clients.create(me, ClientDraft(name="Reply probe"), force=True)
        assert isinstance(probe, Client)
    progress(f"creating {args.clients} clients")
    started = time.perf_counter()
    async with app.crm.open() as crm:
        for n in range(args.clients):
            await crm.clients.create(me, ClientDraft(name=f"Lead {n}"), force=True)
    figures["import_seconds"] = round(time.perf_counter() - started, 2)
    await app.engine.dispose()

    idle: list[float] = []
    stop = asyncio.Event()
    loop = asyncio.create_task(reply_loop(app, probe.id, stop, idle))
    await asyncio.sleep(args.idle_seconds)
    stop.set()
    await loop

    progress("doing the firings")
    busy: list[float] = []
    stop = asyncio.Event()
    loop = asyncio.create_task(reply_loop(app, probe.id, stop, busy))
    started = time.perf_counter()
    done = 0
    while True:
        async with app.crm.open(background=True) as crm:  # as the scheduler opens it
            settled = await crm.automation.tick()
        done += settled
        if not settled:
            break
        await asyncio.sleep(0.1)  # the scheduler's next tick
    figures["firings_seconds"] = round(time.perf_counter() - started, 2)
    stop.set()
    await loop
    after: list[float] = []  # idle again, on the base the firings have grown
    stop = asyncio.Event()
    loop = asyncio.create_task(reply_loop(app, probe.id, stop, after))
    await asyncio.sleep(args.idle_seconds)
    stop.set()
    await loop
    async with app.crm.open() as crm:
        session = crm.automation.runner._session
        tasks = await session.scalar(select(func.count(Task.id)))
        pending = await session.scalar(
            select(func.count(AutomationFiring.id)).where(AutomationFiring.done_at.is_(None))
        )
    figures |= {
        "firings_done": done,
        "firings_pending": pending,
        "tasks_created": tasks,
        "firings_per_second": round(done / max(figures["firings_seconds"], 1e-9)),
        "reply_p95_ms_idle": round(p95(idle), 2),
        "reply_p95_ms_busy": round(p95(busy), 2),
        "reply_p95_ms_idle_after": round(p95(after), 2),
        "reply_samples_busy": len(busy),
        "reply_samples_idle": len(idle),
    }
    progress(f"firings: {figures}")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = None
    url = args.db
    if url is None:
        workdir = tempfile.TemporaryDirectory(prefix="bench-automation-")
        url = f"sqlite+aiosqlite:///{Path(workdir.name) / 'bench.db'}"
    settings = Settings(
        _env_file=None,
        database_url=url,
        owner_ids=(OWNER_ID,),
        automation_max_per_hour=1_000_000,
    )
    app = build_app(settings, session=OfflineSession(), clock=SystemClock())
    figures: dict[str, Any] = {
        "database": app.engine.dialect.name,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "moves": args.moves,
        "clients": args.clients,
    }
    try:
        await prepare_database(app)
        await bench_moves(app, args, figures)
        await bench_firings(app, args, figures)
    finally:
        await app.close()
        if workdir is not None:
            workdir.cleanup()
    return figures


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.automation", description=__doc__)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--deals", type=int, default=50)
    parser.add_argument("--moves", type=int, default=400)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument(
        "--idle-seconds", type=float, default=10.0, help="replies timed idle, before and after"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    figures = asyncio.run(run(parse_args(argv)))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
