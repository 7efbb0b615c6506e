"""Where a ``/find`` that opens a card spends its time in the bot, and what SQLite alone takes.

``python -m bench.find_parts --db PATH`` builds the app as ``bench.e2e`` runs it
(``bot.app.build_app``), here with the offline Bot API session (no HTTP: what
``bench.e2e`` calls the time before the answer is asked of the API), on a
``bench.clients`` base (``bench.e2e_base``: 100,000 clients unless the base
given has other). As the owner, it sends ``/help`` and ``/find <full name>`` of
names that find one client each, each name twice in a row as ``bench.e2e``
does, and times each update and these parts of a ``/find``:

* ``search``: ``ClientQueries.search_with_archive`` (the statements and the ORM);
* ``card_reads``: the card's reads (``card_screen`` but its rendering);
* ``render``: the card's text and keyboard (``render_card``);
* ``send``: handing the answer to the Bot API session (aiogram's models);
* ``rest``: the middlewares, the dispatch and the handler around them.

Then it replays every statement the ``/find`` updates ran on a plain ``sqlite3``
connection to the same file (twice, the second timed): ``sqlite_ms`` is what
SQLite itself takes of an update, the floor under any way of running them from
Python; and once more on a plain ``aiosqlite`` connection (each statement a round
trip to its thread): ``aiosqlite_ms``, what the reads would take without
``storage/sqlite_driver.py``, which runs them in the event loop's thread. The means
add up to the update's mean; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import os
import sqlite3
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.common import cpu_reference_ms, log
from bench.e2e_base import OWNER_ID, prepare, unique_names
from bench.fake_api import private_text

TOKEN = "123456:bench"
PARTS = ("search", "card_reads", "render", "send")


class Timed:
    """Time spent inside some functions, per part, for the update under way."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    def wrap_async(self, owner: Any, name: str, part: str) -> None:
        function: Callable[..., Awaitable[Any]] = getattr(owner, name)

        @functools.wraps(function)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self.spent[part] += time.perf_counter() - started

        setattr(owner, name, timed)

    def wrap(self, owner: Any, name: str, part: str) -> None:
        function: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[part] += time.perf_counter() - started

        setattr(owner, name, timed)

    def take(self) -> dict[str, float]:
        spent, self.spent = self.spent, defaultdict(float)
        return {part: spent.get(part, 0.0) * 1000 for part in (*PARTS, "card_screen")}


def instrument() -> Timed:
    from crm.client_queries import ClientQueries
    from handlers.clients import screen

    timed = Timed()
    timed.wrap_async(ClientQueries, "search_with_archive", "search")
    timed.wrap_async(screen, "card_screen", "card_screen")  # send_card calls it by name
    timed.wrap(screen, "render_card", "render")
    timed.wrap_async(screen, "send", "send")
    return timed


async def measure(path: Path, names: list[str], rounds: int) -> dict[str, Any]:
    from aiogram.types import Update

    from bench.base_words import NOW
    from bot.app import build_app
    from bot.config import Settings
    from bot.offline import OfflineSession
    from bot.startup import prepare_database, settle_heap
    from crm.clock import ManualClock

    settings = Settings(bot_token=TOKEN, database_url=f"sqlite+aiosqlite:///{path}", redis_url=None)
    session = OfflineSession()
    app = build_app(settings, session=session, clock=ManualClock(NOW))
    timed = instrument()
    ids = itertools.count(1)
    ran: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        ran.append((statement, parameters))

    async def send(text: str) -> float:
        update_id = next(ids)
        update = Update.model_validate(private_text(update_id, update_id, OWNER_ID, text))
        started = time.perf_counter()
        await app.dispatcher.feed_update(app.bot, update)
        session.clear()
        return (time.perf_counter() - started) * 1000

    help_ms: list[float] = []
    find_ms: list[float] = []
    parts: list[dict[str, float]] = []
    statements: list[list[tuple[str, Any]]] = []
    try:
        await prepare_database(app)
        for name in names[:20]:  # warm: SQLite's pages, the caches, the compiled statements
            await send(f"/find {name}")
        settle_heap()
        event.listen(app.engine.sync_engine, "before_cursor_execute", record)
        for round_ in range(rounds):
            help_ms.append(await send("/help"))
            for _ in range(2):  # a new open card, then the same
                timed.take()
                ran.clear()
                find_ms.append(await send(f"/find {names[round_ % len(names)]}"))
                parts.append(timed.take())
                statements.append(list(ran))
    finally:
        await app.close()
    floors = {"sqlite": replay(path, statements), "aiosqlite": await replay_async(path, statements)}
    return summary(help_ms, find_ms, parts, floors, statements)


def replay(path: Path, updates: list[list[tuple[str, Any]]]) -> list[float]:
    """Each update's reads, run again by ``sqlite3`` alone: ms per update (a second pass)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def run(statements: list[tuple[str, Any]]) -> float:
        started = time.perf_counter()
        for statement, parameters in statements:
            if statement.lstrip()[:6].upper() == "SELECT":
                connection.execute(statement, parameters).fetchall()
        return (time.perf_counter() - started) * 1000

    try:
        for statements in updates:  # warm: the pages and sqlite3's statement cache
            run(statements)
        return [run(statements) for statements in updates]
    finally:
        connection.close()


async def replay_async(path: Path, updates: list[list[tuple[str, Any]]]) -> list[float]:
    """Each update's reads run by ``aiosqlite`` alone, as ``replay`` runs them: ms per update."""
    import aiosqlite

    async with aiosqlite.connect(f"file:{path}?mode=ro", uri=True) as connection:

        async def run(statements: list[tuple[str, Any]]) -> float:
            started = time.perf_counter()
            for statement, parameters in statements:
                if statement.lstrip()[:6].upper() == "SELECT":
                    await (await connection.execute(statement, parameters)).fetchall()
            return (time.perf_counter() - started) * 1000

        for statements in updates:
            await run(statements)
        return [await run(statements) for statements in updates]


def summary(
    help_ms: list[float],
    find_ms: list[float],
    parts: list[dict[str, float]],
    floors: dict[str, list[float]],
    statements: list[list[tuple[str, Any]]],
) -> dict[str, Any]:
    def p50(values: Sequence[float]) -> float:
        return round(statistics.median(values), 3)

    def mean(values: Sequence[float]) -> float:
        return round(statistics.fmean(values), 3)

    split = [
        {
            "search": p["search"],
            "card_reads": p["card_screen"] - p["render"],
            "render": p["render"],
            "send": p["send"],
            "rest": total - p["search"] - p["card_screen"] - p["send"],
        }
        for p, total in zip(parts, find_ms, strict=True)
    ]
    names = (*PARTS, "rest")
    return {
        "finds": len(find_ms),
        "help_ms_p50": p50(help_ms),
        "find_ms_p50": p50(find_ms),
        "find_ms_mean": mean(find_ms),
        "parts_ms_mean": {name: mean([s[name] for s in split]) for name in names},
        "parts_ms_p50": {name: p50([s[name] for s in split]) for name in names},
        **{f"{floor}_ms_p50": p50(ms) for floor, ms in floors.items()},
        **{f"{floor}_ms_mean": mean(ms) for floor, ms in floors.items()},
        "statements_per_find": p50([len(s) for s in statements]),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.find_parts", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="made (100k clients) if missing")
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20260601)
    args = parser.parse_args(argv)
    prepare(argparse.Namespace(clients=args.clients, events=None, seed=args.seed), args.db)
    names = unique_names(args.db, 20)
    log(f"{len(names)} names that find one client each, e.g. {names[0]!r}")
    result: dict[str, Any] = {"rounds": args.rounds}
    result |= asyncio.run(measure(args.db, names, args.rounds))
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    result["cpu_ref_ms"] = cpu_reference_ms()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
