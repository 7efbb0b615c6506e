"""The base ``bench.e2e`` runs on: a ``bench.clients`` base made or brought to the head,
its past tasks' nudges settled, and full names that find one client each."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from pathlib import Path

from bench.common import log

OWNER_ID = 100_001  # bench.clients' owner


def unique_names(db_path: Path, count: int) -> list[str]:
    """Full names a search finds exactly one client for (checked by the bot's own search)."""
    from crm.clock import SystemClock
    from crm.config import CrmConfig
    from crm.service import CrmFactory
    from storage.engine import create_engine, create_session_factory

    with sqlite3.connect(db_path) as db:
        candidates = [
            row[0]
            for row in db.execute(
                "SELECT min(name) FROM clients WHERE archived_at IS NULL "
                "GROUP BY name_folded HAVING count(*) = 1 ORDER BY min(id) LIMIT ?",
                (count * 10,),
            )
        ]

    async def check() -> list[str]:
        engine = create_engine(f"sqlite+aiosqlite:///{db_path}")
        factory = CrmFactory(create_session_factory(engine), SystemClock(), CrmConfig())
        chosen: list[str] = []
        try:
            async with factory.open() as crm:
                owner = await crm.members.get_active(OWNER_ID)
                assert owner is not None
                for name in candidates:
                    if len(await crm.client_queries.search(owner, name, limit=2)) == 1:
                        chosen.append(name)
                    if len(chosen) == count:
                        break
        finally:
            await engine.dispose()
        return chosen

    return asyncio.run(check())


def prepare(args: argparse.Namespace, path: Path) -> None:
    """Generate the base if the file is missing; bring an existing one to the head."""
    from bench.base_events import generate
    from storage.engine import create_engine
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{path}"
    if not path.exists():
        events = args.events if args.events is not None else args.clients * 10
        log(f"generating {args.clients:,} clients and {events:,} events into {path}")
        asyncio.run(generate(url, args.seed, args.clients, events))
        settle_past_tasks(path)
        return

    async def migrate() -> None:
        engine = create_engine(url)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(migrate())
    settle_past_tasks(path)
    with sqlite3.connect(path) as db:
        args.clients = db.execute("SELECT count(*) FROM clients").fetchone()[0]


def settle_past_tasks(path: Path) -> None:
    """Nudges for the tasks overdue at the base's NOW count as sent: the generator leaves
    them open, and the bot would spend the run sending thousands of them."""
    from bench.base_words import NOW

    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE tasks SET nudged_at = due_at WHERE done_at IS NULL AND nudged_at IS NULL "
            "AND due_at < ?",
            (NOW.strftime("%Y-%m-%d %H:%M:%S.%f"),),
        )
