"""Custom fields, records and links on a large generated base (SQLite).

``python -m bench.entities`` builds the clients base of ``bench.clients``
(100,000 clients by default, with a lighter timeline), then gives every client
20 custom field values, adds 100,000 records of three types (products,
suppliers, documents) with their own fields, and 300,000 links (clients ↔
documents and suppliers, deal lines ↔ products with quantity and price,
suppliers ↔ products). It times, each call in a fresh session as the bot does:

* ``client_card``: the client card, its custom fields and its links (as the handler reads them);
* ``search``: ``bench.clients``' query mix plus queries for custom text fields;
* ``filtered_list``: ``/clients`` filtered by a custom list field and a money range;
* ``record_card``: a record's card (fields, links, timeline);
* ``json_*``: the same filter and field read on a JSON column (``clients.custom_fields``)
  with and without expression indexes, the alternative the value table was chosen over.

Progress goes to stderr; the last line of stdout is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.base_words import NOW, OWNER_ID
from bench.common import cpu_reference_ms, log
from bench.entities_base import CLIENT_FIELDS, LINES, generate
from bench.search_queries import make_queries, read_samples
from bench.search_timing import Timings, timed_each
from crm.cards import CardKind, CardRef
from crm.client_filter import ClientFilter
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.field_filters import FieldFilter
from crm.service import Crm, CrmFactory
from storage.engine import create_engine, create_session_factory


async def measure(url: str, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed + 1)
    db = sqlite3.connect(path)
    samples = read_samples(db, rng, 2_000)
    texts = [text for _, text in make_queries(rng, samples, args.queries)]
    custom = [
        r[0]
        for r in db.execute(
            "SELECT text_value FROM field_values "
            "WHERE client_id IS NOT NULL AND field_id IN (1, 2, 3) "
            "ORDER BY random() LIMIT ?",
            (args.queries // 4,),
        )
    ]
    texts += [t.split()[-1][-6:] for t in custom]  # a fragment of an INN or a contract number
    client_ids = [
        r[0]
        for r in db.execute(
            "SELECT a_client_id FROM links WHERE a_client_id IS NOT NULL ORDER BY random() LIMIT ?",
            (args.cards,),
        )
    ]
    record_ids = [
        r[0] for r in db.execute("SELECT id FROM records ORDER BY random() LIMIT ?", (args.cards,))
    ]
    line_field, money_field = 9, 13
    filters = [
        (rng.randrange(1, len(LINES) + 1), rng.randrange(0, 5 * 10**7)) for _ in range(args.cards)
    ]

    engine = create_engine(url)
    factory = CrmFactory(create_session_factory(engine), ManualClock(NOW), CrmConfig())
    try:
        async with factory.open() as crm:
            owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None

        async def client_card(crm: Crm, client_id: int) -> object:
            # What the client card handler reads (handlers.clients.screen, card_lines).
            card = await crm.client_queries.card(owner, client_id)
            ref = CardRef(CardKind.CLIENT, client_id)
            return card, await crm.card_extras.read(owner, ref, card.client)

        async def search(crm: Crm, text: str) -> object:
            return await crm.client_queries.search(owner, text)

        async def listed(crm: Crm, item: tuple[int, int]) -> object:
            option, low = item
            fields = (
                FieldFilter(line_field, option_ids=(option,)),
                FieldFilter(money_field, low=low, high=low + 2 * 10**7),
            )
            return (await crm.client_queries.page(owner, ClientFilter(fields=fields), 0)).clients

        async def record_card(crm: Crm, record_id: int) -> object:
            return await crm.record_queries.card(owner, record_id)

        results: dict[str, Timings] = {}
        for name, items, call in (
            ("client_card", client_ids, client_card),
            ("search", texts, search),
            ("filtered_list", filters, listed),
            ("record_card", record_ids, record_card),
        ):
            await timed_each(factory, items[:20], call)
            log(f"timing {len(items)} × {name}")
            results[name] = await timed_each(factory, items, call)
    finally:
        await engine.dispose()

    figures: dict[str, Any] = {}
    for name, timings in results.items():
        figures[f"{name}_p50_ms"] = timings.quantile(0.5)
        figures[f"{name}_p95_ms"] = timings.quantile(0.95)
        figures[f"{name}_empty"] = timings.empty
    figures.update(json_alternative(db, filters, client_ids, line_field, money_field))
    db.close()
    return figures


def json_alternative(
    db: sqlite3.Connection,
    filters: list[tuple[int, int]],
    client_ids: list[int],
    line_field: int,
    money_field: int,
) -> dict[str, Any]:
    """The filter and the card's field read on ``clients.custom_fields`` (JSON), first
    without, then with expression indexes on the two fields (what a JSON design needs:
    an index per field, i.e. DDL whenever the owner adds one)."""
    line, money = (
        f"json_extract(custom_fields, '$.\"{line_field}\"')",
        (f"json_extract(custom_fields, '$.\"{money_field}\"')"),
    )
    where = f"archived_at IS NULL AND {line} = ? AND {money} BETWEEN ? AND ?"
    sql_page = (
        f"SELECT id FROM clients WHERE {where} ORDER BY last_activity_at DESC, id DESC LIMIT 8"
    )
    sql_count = f"SELECT count(*) FROM clients WHERE {where}"

    def run_filters() -> Timings:
        timings = Timings()
        for option, low in filters:
            started = time.perf_counter()
            params = (option, low, low + 2 * 10**7)
            db.execute(sql_count, params).fetchone()
            db.execute(sql_page, params).fetchall()
            timings.values.append((time.perf_counter() - started) * 1000)
        return timings

    log("timing the JSON alternative")
    plain = run_filters()
    db.execute(f"CREATE INDEX bench_json_line ON clients ({line})")
    db.execute(f"CREATE INDEX bench_json_money ON clients ({money})")
    indexed = run_filters()
    reads = Timings()
    for client_id in client_ids:
        started = time.perf_counter()
        json.loads(
            db.execute("SELECT custom_fields FROM clients WHERE id = ?", (client_id,)).fetchone()[0]
        )
        reads.values.append((time.perf_counter() - started) * 1000)
    db.execute("DROP INDEX bench_json_line")
    db.execute("DROP INDEX bench_json_money")
    return {
        "json_filter_noindex_p95_ms": plain.quantile(0.95),
        "json_filter_indexed_p95_ms": indexed.quantile(0.95),
        "json_card_fields_p95_ms": reads.quantile(0.95),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.entities", description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=300_000)
    parser.add_argument("--quick", action="store_true", help="a tenth of every size")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--db", type=Path, help="keep the database here (reused if it exists)")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.records, args.links = (
            args.clients // 10,
            args.records // 10,
            args.links // 10,
        )
    return args


async def run(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{path}"
    result: dict[str, Any] = {
        "clients": args.clients,
        "records": args.records,
        "links": args.links,
        "client_fields": len(CLIENT_FIELDS),
    }
    if not path.exists():  # noqa: ASYNC240 (before anything else runs)
        log(f"generating into {path}")
        started = time.perf_counter()
        await generate(url, args)
        result["generate_s"] = round(time.perf_counter() - started, 1)
    result.update(await measure(url, path, args))
    result["field_values"] = (
        sqlite3.connect(path).execute("SELECT count(*) FROM field_values").fetchone()[0]
    )
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    result["cpu_ref_ms"] = cpu_reference_ms()
    result["sqlite"] = sqlite3.sqlite_version
    return result


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.db is not None:
        result = asyncio.run(run(args, args.db))
    else:
        with tempfile.TemporaryDirectory(prefix="kartoteka-bench-") as tmp:
            result = asyncio.run(run(args, Path(tmp) / "entities.db"))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
