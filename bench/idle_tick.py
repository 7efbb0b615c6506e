"""The scheduler's tick when nothing is due, in process.

``python -m bench.idle_tick [--db PATH] [--ticks N]`` builds the app
(``bot.app.build_app``, offline Bot API) on a ``bench.clients`` base with the
clock at the base's NOW (12:00 in Moscow, past the digest hour). The first
ticks queue and send the day's digests; then every tick has nothing to do.
It reports, per idle tick: CPU (the whole process, all threads), wall time,
SQL statements and write transactions (``BEGIN IMMEDIATE``). The last line
of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event


async def measure(path: Path, ticks: int) -> dict[str, Any]:
    from bench.base_words import NOW
    from bench.e2e_base import settle_past_tasks
    from bot.app import build_app
    from bot.config import Settings
    from bot.offline import OfflineSession
    from bot.startup import prepare_database
    from crm.clock import ManualClock

    settle_past_tasks(path)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", redis_url=None)
    clock = ManualClock(NOW)
    app = build_app(settings, session=OfflineSession(), clock=clock)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.lstrip()[:20].upper())

    try:
        await prepare_database(app)
        for _ in range(3):  # the day's digests go out
            await app.ticker.tick()
            await app.ticker.tick()
        event.listen(app.engine.sync_engine, "before_cursor_execute", record)
        cpu: list[float] = []
        wall: list[float] = []
        statements: list[int] = []
        writes: list[int] = []
        for _ in range(ticks):
            clock.set(clock.now().replace(microsecond=0))  # the clock still stands
            seen.clear()
            started_cpu, started = time.process_time(), time.perf_counter()
            await app.ticker.tick()
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            statements.append(len(seen))
            writes.append(sum(s.startswith("BEGIN IMMEDIATE") for s in seen))
    finally:
        await app.close()
    return {
        "ticks": ticks,
        "idle_tick_cpu_ms_median": round(statistics.median(cpu), 3),
        "idle_tick_cpu_ms_mean": round(statistics.fmean(cpu), 3),
        "idle_tick_wall_ms_median": round(statistics.median(wall), 3),
        "idle_tick_statements": max(statements),
        "idle_tick_write_transactions": max(writes),
    }


def main(argv: Sequence[str] | None = None) -> None:
    from bench.base_events import generate
    from bench.common import cpu_reference_ms

    parser = argparse.ArgumentParser(prog="python -m bench.idle_tick", description=__doc__)
    parser.add_argument("--db", type=Path, help="a bench.clients base (default: a small new one)")
    parser.add_argument("--clients", type=int, default=2_000)
    parser.add_argument("--ticks", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kartoteka-tick-") as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if not path.exists():
            print(f"generating {args.clients:,} clients into {path}", file=sys.stderr)
            url = f"sqlite+aiosqlite:///{path}"
            asyncio.run(generate(url, 20260601, args.clients, args.clients * 10))
        result = asyncio.run(measure(path, args.ticks))
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    result["cpu_ref_ms"] = cpu_reference_ms()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
