"""Updates per second and handler latency with 1 and with 2 bot instances on PostgreSQL.

Real ``python -m bot`` processes in webhook mode (PostgreSQL, Redis), a fake
Bot API on 127.0.0.1, and a client that posts Telegram updates to them (round
robin) with a fixed number in flight. Members of the team open their task
list (``/tasks``: the member, their language, one query, one message sent).
Throughput = updates / time until every reply reached the fake Bot API. The
handler latency is the p95 of the bots' own ``kartoteka_update_seconds``
histogram (read from /metrics); the end-to-end p95 is from posting to the
reply's arrival.

    python -m bench.instances [--updates 3000] [--in-flight 64] [--members 300]

Needs TEST_POSTGRES_URL (an admin URL: a fresh database is made and dropped)
and TEST_REDIS_URL. Progress on stderr; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import build_app
from bot.offline import OfflineSession
from bot.startup import prepare_database
from storage.engine import create_session_factory, write_transaction
from storage.models import User
from tests import databases
from tests.cluster import Cluster, message_update, wait_until
from tests.conftest import make_settings

OWNER = 555_000_001
MEMBERS = 810_000_000


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def seed(url: str, members: int) -> None:
    app = build_app(make_settings(url, owner_ids=(OWNER,)), session=OfflineSession())
    try:
        await prepare_database(app)
        async with create_session_factory(app.engine)() as session, write_transaction(session):
            for number in range(members):
                session.add(
                    User(
                        id=MEMBERS + number,
                        full_name=f"Member {number}",
                        role="manager",
                        language="ru",
                        timezone="Europe/Moscow",
                        created_at=datetime.now(UTC),
                        morning_list=False,
                    )
                )
    finally:
        await app.close()


def histogram_p95(texts: list[str]) -> float:
    """p95 of kartoteka_update_seconds over all instances (linear within a bucket)."""
    buckets: dict[float, float] = {}
    for text in texts:
        for line in text.splitlines():
            if line.startswith("kartoteka_update_seconds_bucket{") and 'type="message"' in line:
                bound = line.split('le="')[1].split('"')[0]
                edge = float("inf") if bound == "+Inf" else float(bound)
                buckets[edge] = buckets.get(edge, 0.0) + float(line.split()[-1])
    edges = sorted(buckets)
    total = buckets[edges[-1]] if edges else 0.0
    if not total:
        return 0.0
    target, lower, below = 0.95 * total, 0.0, 0.0
    for edge in edges:
        if buckets[edge] >= target:
            if edge == float("inf"):
                return lower
            share = (target - below) / max(buckets[edge] - below, 1e-9)
            return lower + share * (edge - lower)
        lower, below = edge, buckets[edge]
    return lower


async def measure(
    url: str, redis_url: str, count: int, updates: int, in_flight: int, members: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        cluster = Cluster(
            url, redis_url, Path(directory), count=count, extra={"LOG_LEVEL": "WARNING"}
        )
        try:
            say(f"starting {count} instance(s)…")
            await cluster.start(OWNER)
            # Warm up (first queries, connections), then measure.
            await run_burst(cluster, 0, min(200, updates), in_flight, members)
            before = [await cluster.get(i, "/metrics") for i in cluster.instances]
            started = time.perf_counter()
            latencies = await run_burst(cluster, 10_000, updates, in_flight, members)
            elapsed = time.perf_counter() - started
            after = [
                text
                for _status, text in [await cluster.get(i, "/metrics") for i in cluster.instances]
            ]
            p95 = histogram_delta_p95([text for _s, text in before], after)
        finally:
            await cluster.close()
    latencies.sort()
    result = {
        "instances": count,
        "updates": updates,
        "seconds": round(elapsed, 2),
        "updates_per_second": round(updates / elapsed, 1),
        "handler_p95_ms": round(p95 * 1000, 1),
        "end_to_end_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
    }
    say(json.dumps(result))
    return result


def histogram_delta_p95(before: list[str], after: list[str]) -> float:
    """p95 of what was observed between the two scrapes."""
    subtracted = []
    for old, new in zip(before, after, strict=True):
        counts = {
            line.rsplit(" ", 1)[0]: float(line.split()[-1])
            for line in old.splitlines()
            if line.startswith("kartoteka_update_seconds_bucket{")
        }
        lines = []
        for line in new.splitlines():
            if line.startswith("kartoteka_update_seconds_bucket{"):
                key = line.rsplit(" ", 1)[0]
                line = f"{key} {float(line.split()[-1]) - counts.get(key, 0.0)}"
            lines.append(line)
        subtracted.append("\n".join(lines))
    return histogram_p95(subtracted)


async def run_burst(
    cluster: Cluster, first_id: int, updates: int, in_flight: int, members: int
) -> list[float]:
    """Post ``updates`` updates, ``in_flight`` at a time; returns each one's end-to-end time."""
    api = cluster.api
    seen = len(api.sent())
    posted: dict[int, float] = {}
    slots = asyncio.Semaphore(in_flight)
    instances = cluster.instances

    async def one(number: int) -> None:
        async with slots:
            chat = MEMBERS + number % members
            update = message_update(first_id + number, chat, "/tasks")
            posted[number] = time.perf_counter()
            # Like Telegram: what was not answered (in time) is delivered again.
            for _attempt in range(10):
                if await cluster.post(instances[number % len(instances)], update):
                    return
            raise RuntimeError("an instance refused an update ten times")

    await asyncio.gather(*(one(number) for number in range(updates)))
    if not await wait_until(lambda: len(api.sent()) - seen >= updates, 600, step=0.01):
        raise RuntimeError("not every update was answered")
    # Replies per chat come in order; pair each with its chat's posts in order.
    by_chat: dict[int, list[float]] = {}
    for number in sorted(posted):
        by_chat.setdefault(MEMBERS + number % members, []).append(posted[number])
    latencies = []
    for call in api.sent()[seen:]:
        queue = by_chat.get(call.chat_id or 0)
        if queue:
            latencies.append(call.at - queue.pop(0))
    return latencies


async def compare(url: str, redis_url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    await seed(url, args.members)
    return [
        await measure(url, redis_url, count, args.updates, args.in_flight, args.members)
        for count in (1, 2)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--members", type=int, default=300)
    args = parser.parse_args()
    admin = databases.postgres_admin_url()
    redis_url = os.environ.get("TEST_REDIS_URL", "").strip()
    if not admin or not redis_url:
        raise SystemExit("set TEST_POSTGRES_URL and TEST_REDIS_URL")
    url = databases.create_postgres_database(admin)
    try:
        one, two = asyncio.run(compare(url, f"{redis_url.rstrip('/')}/0", args))
    finally:
        databases.drop_postgres_database(admin, url)
    print(
        json.dumps(
            {
                "one": one,
                "two": two,
                "speedup": round(two["updates_per_second"] / one["updates_per_second"], 2),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
