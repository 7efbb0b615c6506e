"""The entities benchmark's base: 20 custom fields on every client, records of three custom
types and their links.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from bench.base_events import load
from bench.base_people import insert_rows
from bench.base_words import OWNER_ID
from bench.common import log
from crm.client_index import phone_forms
from crm.parsing.search_text import fold
from storage.engine import create_engine
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
