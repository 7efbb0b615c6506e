"""Custom fields, records and links on a large generated base (SQLite).

``python -m bench.entities`` builds the clients base of ``bench.clients``
(100,000 clients by default, with a lighter timeline), then gives every client
20 custom field values, adds 100,000 records of three types (products,
suppliers, documents) with their own fields, and 300,000 links (clients ↔
documents and suppliers, deal lines ↔ products with quantity and price,
suppliers ↔ products). It times, each call in a fresh session as the bot does:

* ``client_card``: the client card, its custom fields and its links;
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from bench.base_events import load
from bench.base_people import insert_rows
from bench.base_words import NOW, OWNER_ID
from bench.common import cpu_reference_ms, log
from bench.search_queries import make_queries, read_samples
from bench.search_timing import Timings, timed_each
from crm.cards import CardKind, CardRef
from crm.client_index import phone_forms
from crm.client_queries import ClientFilter
from crm.clock import ManualClock
from crm.config import CrmConfig
from crm.field_filters import FieldFilter
from crm.parsing.search_text import fold
from crm.service import Crm, CrmFactory
from storage.engine import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import FieldDef, FieldValue, Link, Record, RecordType

CREATED = datetime(2025, 1, 1, tzinfo=UTC)
LINES = ("Лёд", "Пар", "Вода", "Газ", "Соль", "Сахар")
# 20 client fields: (name, type, options)
CLIENT_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ИНН", "text", ()),
    ("КПП", "text", ()),
    ("Договор №", "text", ()),
    ("Адрес доставки", "text", ()),
    ("Заметка", "long_text", ()),
    ("Телефон бухгалтерии", "phone", ()),
    ("Почта для счетов", "email", ()),
    ("Сайт", "url", ()),
    ("Линейка", "choice", LINES),
    ("Сегмент", "choice", ("A", "B", "C")),
    ("Регион", "choice", ("Центр", "Север", "Юг", "Урал", "Сибирь")),
    ("Интересы", "multi_choice", LINES),
    ("Бюджет", "money", ()),
    ("Кредитный лимит", "money", ()),
    ("Долг", "money", ()),
    ("Сотрудники", "number", ()),
    ("Скидка %", "number", ()),
    ("День рождения", "date", ()),
    ("Договор до", "date", ()),
    ("Постоянный", "yes_no", ()),
)
TYPES = (
    ("Товар", "Товары", "📦"),
    ("Поставщик", "Поставщики", "🏭"),
    ("Документ", "Документы", "📄"),
)
RECORD_FIELDS = {
    0: (("Цена", "money", ()), ("Артикул", "text", ()), ("Линейка", "choice", LINES)),
    1: (("Телефон", "phone", ()), ("Город", "text", ()), ("Рейтинг", "number", ())),
    2: (("Номер", "text", ()), ("Дата", "date", ()), ("Вид", "choice", ("Договор", "Счёт", "Акт"))),
}


def options(names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"id": i, "name": n} for i, n in enumerate(names, start=1)]


def value_row(
    rng: random.Random, field_id: int, type_: str, n_options: int, card: dict[str, int]
) -> tuple[list[dict[str, Any]], str]:
    """Rows of one value and the words it adds to the card's search line."""
    base: dict[str, Any] = {
        "field_id": field_id,
        "int_value": None,
        "num_value": None,
        "date_value": None,
        "text_value": None,
        **{k: None for k in ("client_id", "deal_id", "record_id")},
        **card,
    }
    if type_ in ("text", "long_text"):
        text = f"{rng.choice(('ООО', 'ИП', 'д.', 'ул.'))} {rng.randrange(10**9, 10**10)}"
        return [{**base, "text_value": text}], fold(text)
    if type_ == "phone":
        phone = f"+7999{rng.randrange(10**6, 10**7)}"
        return [{**base, "text_value": phone}], " ".join(phone_forms(phone))
    if type_ == "email":
        email = f"buh{rng.randrange(10**6)}@firm{rng.randrange(1000)}.ru"
        return [{**base, "text_value": email}], email
    if type_ == "url":
        return [{**base, "text_value": f"https://firm{rng.randrange(10**5)}.ru"}], ""
    if type_ == "choice":
        return [{**base, "int_value": rng.randrange(1, n_options + 1)}], ""
    if type_ == "multi_choice":
        chosen = rng.sample(range(1, n_options + 1), rng.randrange(1, 3))
        return [{**base, "int_value": o} for o in chosen], ""
    if type_ == "money":
        return [{**base, "int_value": rng.randrange(0, 10**6) * 100}], ""
    if type_ == "number":
        number = rng.randrange(1, 1000)
        return [{**base, "num_value": float(number), "text_value": str(number)}], ""
    if type_ == "date":
        return [{**base, "date_value": date(2020, 1, 1) + timedelta(days=rng.randrange(2500))}], ""
    return [{**base, "int_value": rng.randrange(2)}], ""


def define(conn: Connection, kind: str, type_id: int | None, specs: Sequence[Any]) -> list[int]:
    first = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM field_defs").scalar_one() + 1
    rows = [
        dict(
            id=first + i,
            kind=kind,
            record_type_id=type_id,
            name=name,
            type=type_,
            required=False,
            position=i,
            options=options(opts),
            created_at=CREATED,
        )
        for i, (name, type_, opts) in enumerate(specs)
    ]
    insert_rows(conn, FieldDef, rows)
    return [first + i for i in range(len(specs))]


def load_entities(conn: Connection, rng: random.Random, n_records: int, n_links: int) -> None:
    client_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM clients ORDER BY id")]
    deal_ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM deals ORDER BY id")]
    field_ids = define(conn, "client", None, CLIENT_FIELDS)
    log(f"  client values for {len(client_ids):,} clients")
    values: list[dict[str, Any]] = []
    updates: list[tuple[str, str, int]] = []
    custom: list[tuple[str, int]] = []
    for client_id in client_ids:
        words, plain = [], {}
        for field_id, (_, type_, opts) in zip(field_ids, CLIENT_FIELDS, strict=True):
            rows, search = value_row(rng, field_id, type_, len(opts), {"client_id": client_id})
            values.extend(rows)
            plain[str(field_id)] = (
                rows[0]["int_value"]
                or rows[0]["num_value"]
                or (
                    rows[0]["date_value"].isoformat()
                    if rows[0]["date_value"]
                    else rows[0]["text_value"]
                )
            )
            if search:
                words.append(search)
        line = " ".join(words)
        updates.append((line, line, client_id))
        custom.append((json.dumps(plain), client_id))
        if len(values) >= 50_000:
            insert_rows(conn, FieldValue, values)
    insert_rows(conn, FieldValue, values)
    conn.exec_driver_sql(
        "UPDATE clients SET fields_search = ?, search_text = search_text || ' ' || ? WHERE id = ?",
        updates,
    )
    conn.exec_driver_sql("UPDATE clients SET custom_fields = ? WHERE id = ?", custom)
    conn.commit()

    log(f"  {n_records:,} records")
    type_fields: dict[int, list[int]] = {}
    for index, (one, many, emoji) in enumerate(TYPES, start=1):
        insert_rows(
            conn,
            RecordType,
            [
                dict(
                    id=index,
                    singular=one,
                    plural=many,
                    emoji=emoji,
                    position=index,
                    created_at=CREATED,
                )
            ],
        )
        type_fields[index] = define(conn, "record", index, RECORD_FIELDS[index - 1])
    records: list[dict[str, Any]] = []
    by_type: dict[int, list[int]] = {1: [], 2: [], 3: []}
    for record_id in range(1, n_records + 1):
        type_id = 1 + record_id % 3
        by_type[type_id].append(record_id)
        title = f"{TYPES[type_id - 1][0]} {record_id}"
        words = [fold(title)]
        for field_id, (_, type_, opts) in zip(
            type_fields[type_id], RECORD_FIELDS[type_id - 1], strict=True
        ):
            rows, search = value_row(rng, field_id, type_, len(opts), {"record_id": record_id})
            values.extend(rows)
            words.append(search)
        at = CREATED + timedelta(minutes=record_id)
        records.append(
            dict(
                id=record_id,
                type_id=type_id,
                title=title,
                title_folded=fold(title),
                search_text=" ".join(w for w in words if w),
                manager_id=None,
                created_by=OWNER_ID,
                created_at=at,
                last_activity_at=at,
            )
        )
        if len(records) >= 20_000:
            insert_rows(conn, Record, records)
            insert_rows(conn, FieldValue, values)
    insert_rows(conn, Record, records)
    insert_rows(conn, FieldValue, values)
    conn.commit()

    log(f"  {n_links:,} links")
    products, suppliers, documents = by_type[1], by_type[2], by_type[3]
    links: list[dict[str, Any]] = []
    empty = {f"{s}_{k}_id": None for s in "ab" for k in ("client", "deal", "record")}
    for index in range(n_links):
        share = index % 6
        row: dict[str, Any] = {
            **empty,
            "quantity_milli": None,
            "price_minor": None,
            "created_by": OWNER_ID,
            "created_at": CREATED,
        }
        if share in (0, 1) or not deal_ids:
            row.update(a_client_id=rng.choice(client_ids), b_record_id=rng.choice(documents))
        elif share in (2, 3):
            row.update(
                a_deal_id=rng.choice(deal_ids),
                b_record_id=rng.choice(products),
                quantity_milli=rng.randrange(1, 50) * 1000,
                price_minor=rng.randrange(100, 10**5) * 100,
            )
        elif share == 4:
            row.update(a_record_id=rng.choice(suppliers), b_record_id=rng.choice(products))
        else:
            row.update(a_client_id=rng.choice(client_ids), b_record_id=rng.choice(suppliers))
        links.append(row)
        if len(links) >= 50_000:
            insert_rows(conn, Link, links)
    insert_rows(conn, Link, links)
    conn.commit()


async def generate(url: str, args: argparse.Namespace) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            rng = random.Random(args.seed)
            await conn.run_sync(load, rng, args.clients, args.clients * 2)
            await conn.run_sync(load_entities, rng, args.records, args.links)
    finally:
        await engine.dispose()


# --- measuring ------------------------------------------------------------------------------


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
            ref = CardRef(CardKind.CLIENT, client_id)
            card = await crm.client_queries.card(owner, client_id)
            return (
                card,
                await crm.field_values.read(ref, card.client),
                await crm.links.read(owner, ref),
            )

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
