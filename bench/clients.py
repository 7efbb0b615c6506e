"""Client search and the client card on a large generated base (SQLite).

``python -m bench.clients`` builds a fresh database (100,000 clients, 1,000,000
timeline events by default) through the real migrations, then times

* ``search``: ``ClientQueries.search`` as the owner (and as a manager, who only
  sees their own and unassigned clients) over a fixed, seeded mix of queries;
* ``naive_search``: the same queries as a full scan that folds every client's
  fields with a Python function at query time: what the index saves;
* ``card``: ``ClientQueries.card`` (client, contacts, 10 newest events, deals,
  open tasks) for a sample of clients that includes the busiest ones.

Progress goes to stderr; the last line of stdout is one JSON object with the
figures. See ``bench/README.md`` for how to read them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bench.base_events import generate
from bench.base_words import CARD_HEAVY, MANAGER_IDS, NOW, OWNER_ID
from bench.common import cpu_reference_ms, log
from bench.search_queries import make_queries, read_samples, short_queries
from bench.search_timing import Timings, check, naive_search, timed_each
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.parsing.search_text import fold
from crm.service import Crm, CrmFactory
from storage import trigram_counts
from storage.engine import create_engine, create_session_factory
from storage.models import (
    Client,
    User,
)


async def measure(
    url: str,
    path: Path,
    seed: int,
    n_queries: int,
    n_cards: int,
    naive_limit: int | None,
    check_results: bool,
    n_short: int = 0,
) -> dict[str, Any]:
    rng = random.Random(seed + 1)
    db = sqlite3.connect(path)
    samples = read_samples(db, rng, 2_000)
    queries = make_queries(rng, samples, n_queries)
    # Drawn after the main mix, so that mix stays the one earlier runs measured.
    queries += short_queries(random.Random(seed + 2), samples, n_short)
    heavy = [
        row[0]
        for row in db.execute(
            "SELECT client_id FROM events GROUP BY client_id ORDER BY count(*) DESC LIMIT ?",
            (CARD_HEAVY,),
        )
    ]
    all_ids = [row[0] for row in db.execute("SELECT id FROM clients")]
    card_ids = heavy + rng.sample(all_ids, max(n_cards - len(heavy), 0))
    rng.shuffle(card_ids)

    engine = create_engine(url)
    await trigram_counts.load(engine)  # as the bot does at startup (bot.startup)
    sessions = create_session_factory(engine)
    factory = CrmFactory(sessions, ManualClock(NOW), CrmConfig())
    try:
        async with factory.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
            manager = await crm.members.get_active(MANAGER_IDS[0])
        assert owner is not None and manager is not None
        texts = [text for _, text in queries]

        def search_as(actor: User) -> Callable[[Crm, str], Awaitable[list[Client]]]:
            async def run(crm: Crm, text: str) -> list[Client]:
                return await crm.client_queries.search(actor, text)

            return run

        async def card(crm: Crm, client_id: int) -> object:
            return await crm.client_queries.card(owner, client_id)

        owner_search = search_as(owner)
        manager_search = search_as(manager)
        await timed_each(factory, texts[:20], owner_search)  # warm-up
        await timed_each(factory, card_ids[:20], card)
        log(f"timing {len(texts)} searches as the owner")
        search = await timed_each(factory, texts, owner_search)
        log(f"timing {len(texts)} searches as a manager")
        manager_timings = await timed_each(factory, texts, manager_search)
        log(f"timing {len(card_ids)} cards")
        cards = await timed_each(factory, card_ids, card)
        mismatches = (
            await check(factory, sessions, [owner, manager], texts) if check_results else None
        )
        slowest = sorted(zip(search.values, queries, strict=True), reverse=True)[:5]
        log("slowest searches: " + "; ".join(f"{k}:{t!r} {ms:.1f} ms" for ms, (k, t) in slowest))
    finally:
        await engine.dispose()

    if mismatches is not None:
        log(f"checked against the one-query ranking: {mismatches} mismatches")
    naive_texts = texts if naive_limit is None else texts[:naive_limit]
    log(f"timing {len(naive_texts)} naive searches (a full scan each)")
    db.create_function("fold_py", 1, fold, deterministic=True)
    naive = Timings()
    for text in naive_texts[:3]:
        naive_search(db, text)
    for text in naive_texts:
        started = time.perf_counter()
        found = naive_search(db, text)
        naive.values.append((time.perf_counter() - started) * 1000)
        naive.empty += not found
    db.close()

    return {
        "queries": len(texts),
        "search_p50_ms": search.quantile(0.5),
        "search_p95_ms": search.quantile(0.95),
        "search_max_ms": search.quantile(1.0),
        "search_empty": search.empty,
        "search_manager_p50_ms": manager_timings.quantile(0.5),
        "search_manager_p95_ms": manager_timings.quantile(0.95),
        "naive_queries": len(naive_texts),
        "naive_search_p50_ms": naive.quantile(0.5),
        "naive_search_p95_ms": naive.quantile(0.95),
        "naive_search_empty": naive.empty,
        "cards": len(card_ids),
        "card_p50_ms": cards.quantile(0.5),
        "card_p95_ms": cards.quantile(0.95),
        "card_max_ms": cards.quantile(1.0),
        **({} if mismatches is None else {"check_mismatches": mismatches}),
        "query_mix": {kind: sum(k == kind for k, _ in queries) for kind, _ in queries},
        "search_p95_ms_by_kind": by_kind(search, queries),
        "search_manager_p95_ms_by_kind": by_kind(manager_timings, queries),
    }


def by_kind(timings: Timings, queries: Sequence[tuple[str, str]]) -> dict[str, float]:
    return {
        kind: Timings(
            [ms for ms, (k, _) in zip(timings.values, queries, strict=True) if k == kind]
        ).quantile(0.95)
        for kind, _ in queries
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.clients", description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument(
        "--short-each",
        type=int,
        default=10,
        help="queries of each short kind (1 or 2 digits, '+7 9', 2 letters) added to the mix",
    )
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=None,
        help="time only the first N queries as a full scan (default: all of them)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="also compare every search with the whole ranking done as one query",
    )
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument(
        "--reuse", action="store_true", help="measure an existing --db without generating"
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace, path: Path, generate_first: bool) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{path}"
    result: dict[str, Any] = {"clients": args.clients, "events": args.events}
    if generate_first:
        log(f"generating {args.clients:,} clients and {args.events:,} events into {path}")
        started = time.perf_counter()
        counts = await generate(url, args.seed, args.clients, args.events)
        result["generate_s"] = round(time.perf_counter() - started, 1)
        result.update({f"n_{k}": v for k, v in vars(counts).items()})
        log(f"generated in {result['generate_s']} s")
    result.update(
        await measure(
            url,
            path,
            args.seed,
            args.queries,
            args.cards,
            args.naive_queries,
            args.check,
            args.short_each,
        )
    )
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
