"""Import, export, backup and restore on a generated base.

A base of N clients and M events (``bench.clients``'s generator) gets an
N-row, 12-column XLSX written the way a Russian sales spreadsheet looks (10 %
of its rows repeat a phone already in the base, phones in mixed formats, some
stored as numbers, dates as dates); then, each phase in its own fresh process
(so its peak RSS is its own), on its own copy of the base:

- ``import``: file bytes → ``read_table`` → ``propose`` → ``Imports.run`` with
  the skip policy: rows, events and search index stored;
- ``naive``: the same rows, parsed the same way, stored one ORM object and one
  flush per row (client, phones, e-mail, event), for the ratio;
- ``export``: every client to XLSX with ``Exports.clients``;
- ``backup`` and ``restore`` (into a fresh SQLite file) of the whole base.

``--quick`` runs 10,000 clients / 100,000 events. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import xlsxwriter

HEADERS = [
    "ФИО",
    "Телефон",
    "E-mail",
    "Организация",
    "Город",
    "Адрес",
    "Статус",
    "Источник",
    "Теги",
    "Ответственный",
    "Комментарий",
    "Дата обращения",
]
CITIES = ["Москва", "Санкт-Петербург", "Казань", "Тула", "Пермь", "Самара", "Омск"]
NAMES = ["Иван", "Пётр", "Анна", "Мария", "Олег", "Елена", "Сергей", "Наталья"]
SURNAMES = ["Петров", "Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss would carry the parent's over a fork."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def existing_phones(path: Path, count: int, seed: int) -> list[str]:
    with sqlite3.connect(path) as db:
        phones = [
            row[0] for row in db.execute("SELECT e164 FROM client_phones WHERE e164 LIKE '+79%'")
        ]
    random.Random(seed).shuffle(phones)
    return phones[:count]


def write_xlsx(path: Path, rows: int, known: list[str], seed: int) -> None:
    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Клиенты")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, HEADERS)
    start = datetime(2024, 1, 1)
    for r in range(1, rows + 1):
        duplicate = r % 10 == 0 and known
        phone = known[r % len(known)] if duplicate else f"+7916{r:07d}"
        digits = phone[2:]
        shape = r % 4
        sheet.write_string(r, 0, f"{rng.choice(SURNAMES)} {rng.choice(NAMES)} {r}")
        if shape == 0:
            sheet.write_number(r, 1, int("7" + digits))  # a phone stored as a number
        elif shape == 1:
            sheet.write_string(r, 1, f"8 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}")
        else:
            sheet.write_string(r, 1, digits if shape == 2 else phone)
        sheet.write_string(r, 2, f"client{r}@example.ru")
        sheet.write_string(r, 3, f"ООО «Компания {r % 5000}»")
        sheet.write_string(r, 4, rng.choice(CITIES))
        sheet.write_string(r, 5, f"ул. Ленина, д. {r % 200}")
        sheet.write_string(r, 6, rng.choice(["Новый", "Тёплый", "VIP"]))
        sheet.write_string(r, 7, rng.choice(["Сайт", "Звонок", "Выставка"]))
        sheet.write_string(r, 8, rng.choice(["опт", "розница", "опт, vip"]))
        sheet.write_string(r, 9, "")
        sheet.write_string(r, 10, "Перезвонить после обеда" if r % 3 == 0 else "")
        sheet.write_datetime(r, 11, start + timedelta(days=r % 700), day)
    book.close()


async def _owner(crm: Any) -> Any:
    from sqlalchemy import select

    from storage.models import User

    session = crm.imports._session
    return await session.scalar(select(User).where(User.role == "owner").limit(1))


def _factory(url: str) -> Any:
    from crm.clock import SystemClock
    from crm.config import CrmConfig
    from crm.service import CrmFactory
    from storage.engine import create_engine, create_session_factory

    engine = create_engine(url)
    return engine, CrmFactory(create_session_factory(engine), SystemClock(), CrmConfig())


async def phase_import(db: Path, file: Path, data: bytes) -> dict[str, Any]:
    from crm.imports.mapping import propose
    from crm.imports.plan import Policy
    from crm.imports.reading import read_table

    engine, factory = _factory(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    table = read_table(data, file.name)
    read_s = time.perf_counter() - started
    async with factory.open() as crm:
        owner = await _owner(crm)
        outcome = await crm.imports.run(
            owner, table, propose(table.headers), file.name, Policy.SKIP
        )
    total = time.perf_counter() - started
    await engine.dispose()
    return {
        "import_s": round(total, 2),
        "import_read_s": round(read_s, 2),
        "import_rss_mb": peak_rss_mb(),
        **{f"import_{k}": v for k, v in outcome.counts().items()},
    }


async def phase_naive(db: Path, file: Path, data: bytes, limit: int | None) -> dict[str, Any]:
    """One ORM object and one flush per row: what an import without bulk statements does."""
    from crm.client_index import search_text
    from crm.imports.mapping import propose
    from crm.imports.plan import plan
    from crm.imports.reading import read_table
    from crm.parsing.search_text import fold
    from storage.models import Client, ClientEmail, ClientPhone, Event

    engine, factory = _factory(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    table = read_table(data, file.name)
    drafts = plan(table, propose(table.headers), "RU").drafts[:limit]
    async with factory.open() as crm:
        owner = await _owner(crm)
        session = crm.imports._session
        for draft in drafts:
            now = datetime.now(UTC)
            client = Client(
                name=draft.name,
                name_folded=fold(draft.name),
                company=draft.company,
                city=draft.city,
                address=draft.address,
                source=draft.source,
                status="new",
                manager_id=owner.id,
                created_by=owner.id,
                created_at=draft.came_at or now,
                last_activity_at=now,
                custom_fields={},
                search_text=search_text(
                    draft.name, draft.company, draft.city, draft.emails, draft.tags, draft.phones
                ),
            )
            session.add(client)
            await session.flush()
            session.add_all(
                ClientPhone(client_id=client.id, e164=p, digits=p[1:]) for p in draft.phones
            )
            session.add_all(ClientEmail(client_id=client.id, email=e) for e in draft.emails)
            session.add(
                Event(
                    occurred_at=now,
                    actor_id=owner.id,
                    kind="imported",
                    client_id=client.id,
                    data={},
                )
            )
            await session.flush()
        await session.commit()
    total = time.perf_counter() - started
    await engine.dispose()
    return {"naive_rows": len(drafts), "naive_s": round(total, 2), "naive_rss_mb": peak_rss_mb()}


async def phase_export(db: Path) -> dict[str, Any]:
    from crm.client_queries import ClientFilter
    from crm.exports.files import Format

    engine, factory = _factory(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    async with factory.open() as crm:
        file = await crm.exports.clients(await _owner(crm), ClientFilter(), Format.XLSX)
    total = time.perf_counter() - started
    await engine.dispose()
    return {
        "export_rows": file.rows,
        "export_s": round(total, 2),
        "export_mb": round(len(file.data) / 2**20, 1),
        "export_rss_mb": peak_rss_mb(),
    }


async def phase_backup(db: Path, archive: Path, size: Any) -> dict[str, Any]:
    from storage.backup import backup
    from storage.engine import create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    started = time.perf_counter()
    manifest = await backup(engine, archive, datetime.now(UTC))
    total = time.perf_counter() - started
    await engine.dispose()
    return {
        "backup_s": round(total, 2),
        "backup_rows": sum(manifest.counts().values()),
        "backup_mb": round(size(archive) / 2**20, 1),
        "backup_rss_mb": peak_rss_mb(),
    }


async def phase_restore(target: Path, archive: Path) -> dict[str, Any]:
    from storage.engine import create_engine
    from storage.restore import restore, table_counts

    engine = create_engine(f"sqlite+aiosqlite:///{target}")
    started = time.perf_counter()
    manifest = await restore(engine, archive)
    total = time.perf_counter() - started
    same = await table_counts(engine) == manifest.counts()
    await engine.dispose()
    return {
        "restore_s": round(total, 2),
        "restore_counts_match": same,
        "restore_rss_mb": peak_rss_mb(),
    }


def run_phase(name: str, *args: Any) -> dict[str, Any]:
    phases = {
        "import": phase_import,
        "naive": phase_naive,
        "export": phase_export,
        "backup": phase_backup,
        "restore": phase_restore,
    }
    if name in ("import", "naive"):
        args = (args[0], args[1], args[1].read_bytes(), *args[2:])
    if name == "backup":
        args = (*args, lambda path: path.stat().st_size)
    return asyncio.run(phases[name](*args))  # type: ignore[operator]


def in_child(name: str, *args: Any) -> dict[str, Any]:
    log(f"{name}…")
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        result = pool.submit(run_phase, name, *args).result()
    log(f"{name}: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--rows", type=int, default=None, help="rows in the file (default: --clients)"
    )
    parser.add_argument("--naive-rows", type=int, default=None, help="time the naive way on N rows")
    parser.add_argument("--quick", action="store_true", help="10,000 clients, 100,000 events")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    if args.quick:
        args.clients, args.events = 10_000, 100_000
    rows = args.rows or args.clients
    from bench.base_events import generate

    result: dict[str, Any] = {"clients": args.clients, "events": args.events, "rows": rows}
    with tempfile.TemporaryDirectory(prefix="kartoteka-bench-") as tmp:
        folder = Path(tmp)
        base = folder / "base.db"
        log(f"generating {args.clients:,} clients and {args.events:,} events")
        started = time.perf_counter()
        asyncio.run(generate(f"sqlite+aiosqlite:///{base}", args.seed, args.clients, args.events))
        result["generate_s"] = round(time.perf_counter() - started, 1)
        file = folder / "clients.xlsx"
        write_xlsx(file, rows, existing_phones(base, rows // 10, args.seed), args.seed)
        result["file_mb"] = round(file.stat().st_size / 2**20, 1)
        for name in ("import", "naive"):
            shutil.copyfile(base, folder / f"{name}.db")
        result |= in_child("backup", base, folder / "backup.zip")
        result |= in_child("restore", folder / "restored.db", folder / "backup.zip")
        result |= in_child("export", base)
        result |= in_child("import", folder / "import.db", file)
        result |= in_child("naive", folder / "naive.db", file, args.naive_rows)
    per_row_naive = result["naive_s"] / max(result["naive_rows"], 1)
    result["naive_full_s"] = round(per_row_naive * rows, 1)
    result["import_speedup"] = round(result["naive_full_s"] / result["import_s"], 1)
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    result["cpus"] = os.cpu_count()
    result["sqlite"] = sqlite3.sqlite_version
    result["python"] = platform.python_version()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
