"""Lead intake under load: form leads posted to a real server on 127.0.0.1 (SQLite).

The server runs in a child process (``--serve``), built as production builds it
(``build_web_app`` with the lead intake's routes, run by ``WebServer``: the same
middleware, limits and routes); this process is the load generator. It posts
Tilda-style form-urlencoded leads at a fixed rate (open loop: a slow answer does
not slow the sending), every tenth one posted twice (a retry with the same
``tranid``), and measures each request from send to answer. Then it stops the
server and counts what the database holds: every distinct lead exactly once,
with its card, timeline line and notice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

OWNER_ID = 1


async def serve(db: str, port: int) -> None:
    from bot.app import build_app
    from bot.config import Settings
    from bot.offline import OfflineSession
    from bot.runner import lead_routes
    from bot.startup import prepare_database
    from bot.web.server import WebServer, build_web_app

    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{db}",
        owner_ids=(OWNER_ID,),
        log_level="WARNING",
        lead_rate_per_minute=100_000,
    )
    app = build_app(settings, session=OfflineSession())
    await prepare_database(app)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        issued = await crm.lead_sources.create(owner, "Сайт", "member", (OWNER_ID,), True)
    # The server as bot.runner.serve builds it: its middleware, health, metrics, the forms.
    server = WebServer(build_web_app(app, route_adders=(lead_routes(app),)), "127.0.0.1", port)
    await server.start()
    print(json.dumps({"token": issued.token}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
    await server.stop()
    await app.close()


def lead_body(number: int) -> dict[str, str]:
    return {
        "Name": f"Клиент {number}",
        "Phone": f"8 (916) {number // 10000 % 1000:03d}-{number % 10000:04d}",
        "Email": f"client{number}@example.ru",
        "Comments": "Хочу узнать цену",
        "utm_source": "yandex",
        "utm_campaign": "spring",
        "tranid": f"4242:{number}",
        "formid": "form1",
    }


async def load(url: str, leads: int, rate: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    answers: dict[int, set[int]] = {}

    async def post(session: aiohttp.ClientSession, number: int) -> None:
        started = time.perf_counter()
        async with session.post(url, data=lead_body(number)) as response:
            payload = await response.json()
        latencies.append(time.perf_counter() - started)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.status == 200:
            answers.setdefault(number, set()).add(int(payload["lead"]))

    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []
        started = time.perf_counter()
        sent = 0
        for number in range(leads):
            for _ in range(2 if number % 10 == 9 else 1):
                due = started + sent / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(post(session, number)))
                sent += 1
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": sent,
        "elapsed_s": round(elapsed, 2),
        "requests_per_s": round(sent / elapsed, 1),
        "leads_per_s": round(leads / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "retries_answered_same_lead": sum(
            1 for n, ids in answers.items() if n % 10 == 9 and len(ids) == 1
        ),
        "_answers": answers,
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_rows(db: str) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        one = conn.execute
        return {
            "leads": one("SELECT count(*) FROM leads").fetchone()[0],
            "distinct_tranids": one("SELECT count(DISTINCT dedupe_key) FROM leads").fetchone()[0],
            "clients": one("SELECT count(*) FROM clients").fetchone()[0],
            "deals": one("SELECT count(*) FROM deals").fetchone()[0],
            "lead_events": one("SELECT count(*) FROM events WHERE kind = 'lead'").fetchone()[0],
            "notices": one("SELECT count(*) FROM outbox WHERE kind = 'lead_new'").fetchone()[0],
        }


def run(args: argparse.Namespace) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    db = str(directory / "intake.db")
    server = subprocess.Popen(
        [
            sys.executable,
            *os.environ.get("BENCH_PY_ARGS", "").split(),
            "-m",
            "bench.intake",
            "--serve",
            db,
            "--port",
            str(args.port),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        token = json.loads(server.stdout.readline())["token"]
        url = f"http://127.0.0.1:{args.port}/leads/{token}"
        print(f"server up; posting {args.leads} leads at {args.rate}/s", file=sys.stderr)
        own = resource.getrusage(resource.RUSAGE_SELF)
        own_before = own.ru_utime + own.ru_stime
        server_before = cpu_seconds(server.pid)
        figures = asyncio.run(load(url, args.leads, args.rate))
        figures["server_cpu_ms_per_request"] = round(
            (cpu_seconds(server.pid) - server_before) * 1000 / figures["requests"], 2
        )
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    own = resource.getrusage(resource.RUSAGE_SELF)
    figures["generator_cpu_ms_per_request"] = round(
        (own.ru_utime + own.ru_stime - own_before) * 1000 / figures["requests"], 2
    )
    figures["load_average_1m"] = os.getloadavg()[0]
    answers = figures.pop("_answers")
    rows = count_rows(db)
    figures.update(rows)
    figures["leads_posted"] = args.leads
    figures["lost"] = args.leads - len(answers) + max(0, args.leads - rows["leads"])
    figures["doubled"] = max(0, rows["leads"] - args.leads) + sum(
        1 for ids in answers.values() if len(ids) > 1
    )
    figures["ok"] = (
        figures["leads_per_s"] >= 200
        and figures["p95_ms"] <= 50
        and figures["lost"] == 0
        and figures["doubled"] == 0
        and rows["clients"] == rows["leads"] == rows["lead_events"] == rows["notices"]
    )
    return figures


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__)
    parser.add_argument("--leads", type=int, default=3000, help="distinct leads (default 3000)")
    parser.add_argument("--rate", type=float, default=250.0, help="requests a second (250)")
    parser.add_argument("--port", type=int, default=18414)
    parser.add_argument("--serve", metavar="DB", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.port))
        return
    figures = run(args)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
