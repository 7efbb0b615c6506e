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
- ``backup`` and ``restore`` (into a fresh SQLite file) of the whole base;
- ``latency``: the bot's reply p95 to commands while the import runs in the
  background, against its idle p95, through the real Dispatcher
  (``bench.import_latency``).

The file is made by ``bench.import_file``, the phases are in ``bench.import_phases``.

``--quick`` runs 10,000 clients / 100,000 events. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.common import log
from bench.import_file import existing_phones, write_xlsx
from bench.import_latency import phase_latency
from bench.import_phases import (
    phase_backup,
    phase_export,
    phase_import,
    phase_naive,
    phase_restore,
)


def run_phase(name: str, *args: Any) -> dict[str, Any]:
    phases = {
        "import": phase_import,
        "naive": phase_naive,
        "export": phase_export,
        "backup": phase_backup,
        "restore": phase_restore,
        "latency": phase_latency,
    }
    if name in ("import", "naive", "latency"):
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
    parser.add_argument(
        "--only",
        default="backup,restore,export,import,naive,latency",
        help="the phases to run, comma-separated (default: all)",
    )
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
        for name in ("import", "naive", "latency"):
            shutil.copyfile(base, folder / f"{name}.db")
        only = set(args.only.split(","))
        if "backup" in only or "restore" in only:
            result |= in_child("backup", base, folder / "backup.zip")
        if "restore" in only:
            result |= in_child("restore", folder / "restored.db", folder / "backup.zip")
        if "export" in only:
            result |= in_child("export", base)
        if "import" in only:
            result |= in_child("import", folder / "import.db", file)
        if "naive" in only:
            result |= in_child("naive", folder / "naive.db", file, args.naive_rows)
        if "latency" in only:
            result |= in_child("latency", folder / "latency.db", file)
    if "naive_s" in result and "import_s" in result:
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
