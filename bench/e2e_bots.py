"""The three bots ``bench.e2e`` runs, each in its own process.

``python -m bench.e2e_bots echo|card|kartoteka <api url> <db> <stats file>``: poll
the fake Bot API at ``api url`` until SIGINT, then write what was counted
inside the process (statements per update and per idle tick, and the time from an
update to its answer being asked of the API) to ``stats``. For ``card`` the ``db``
argument is a JSON file: the parameters of a card Kartoteka sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update

TOKEN = "123456:bench"
REST = signal.SIGUSR1
"""``bench.e2e`` sends it when the bot has gone quiet after startup and again when the
rest it measures ends: the ticks between are the idle ones (on a slow machine the day's
digests take more than a few ticks, and ticks during the traffic share the CPU with it)."""


async def echo(api: str) -> dict[str, Any]:
    """The smallest aiogram bot: every message comes back as it is."""
    asyncio.get_running_loop().add_signal_handler(REST, lambda: None)  # bench.e2e's mark
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def answer(message: Message) -> None:
        await message.answer(message.text or "?")

    await _poll(api, dispatcher)
    return {}


async def card(api: str, params: dict[str, Any]) -> dict[str, Any]:
    """The floor under a ``/find``: aiogram answering every message with a card Kartoteka
    sent (its text, parse mode and keyboard, built once), with no search and no reads."""
    asyncio.get_running_loop().add_signal_handler(REST, lambda: None)
    markup = InlineKeyboardMarkup.model_validate(params["reply_markup"])
    preview = params.get("link_preview_options")
    previews = LinkPreviewOptions.model_validate(preview) if preview else None
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def answer(message: Message) -> None:
        await message.answer(
            params["text"],
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            link_preview_options=previews,
        )

    await _poll(api, dispatcher)
    return {}


async def _poll(api: str, dispatcher: Dispatcher) -> None:
    """Poll the fake API at ``api`` with ``dispatcher`` until SIGINT."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    try:
        await dispatcher.start_polling(bot, polling_timeout=10)
    finally:
        await bot.session.close()


class Counter:
    """SQL statements by the asyncio task that ran them, and write transactions."""

    def __init__(self) -> None:
        self.by_task: dict[int, int] = defaultdict(int)
        self.writes_by_task: dict[int, int] = defaultdict(int)

    def __call__(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        task = asyncio.current_task()
        key = id(task) if task is not None else 0
        self.by_task[key] += 1
        # A write transaction: BEGIN IMMEDIATE, or a change that is one of its own
        # (storage.engine.write_row, sent with no BEGIN).
        if statement.lstrip().upper().startswith("BEGIN IMMEDIATE") or (
            conn.get_execution_options().get("kartoteka_lone_write")
        ):
            self.writes_by_task[key] += 1

    def take(self) -> tuple[int, int]:
        key = id(asyncio.current_task())
        return self.by_task.pop(key, 0), self.writes_by_task.pop(key, 0)


async def kartoteka(api: str, db: str) -> dict[str, Any]:
    """Kartoteka as ``python -m bot`` runs it (``bot.cli.run``), with counters."""
    from sqlalchemy import event

    from bot.app import build_app
    from bot.config import Settings
    from bot.startup import prepare_database, settle_heap
    from reminders.scheduler import build_scheduler

    settings = Settings(
        bot_token=TOKEN,
        database_url=f"sqlite+aiosqlite:///{db}",
        telegram_api_url=api,
        redis_url=None,
    )
    from bench.base_words import NOW
    from crm.clock import ManualClock

    # The base's own "now" (12:00 in Moscow): the day's digests go out on the first
    # ticks, then nothing falls due (bench.e2e marked the past tasks' nudges done).
    app = build_app(settings, clock=ManualClock(NOW))
    counter = Counter()
    event.listen(app.engine.sync_engine, "before_cursor_execute", counter)
    per_update: dict[str, list[int]] = defaultdict(list)
    to_answer: dict[str, list[float]] = defaultdict(list)  # ms in the bot before its answer
    ticks: list[tuple[int, int, float]] = []
    marks: list[int] = []  # where the rest began and ended, in ticks (bench.e2e's marks)
    asyncio.get_running_loop().add_signal_handler(REST, lambda: marks.append(len(ticks)))

    feed = app.dispatcher.feed_update
    answered: dict[int, float] = {}  # by task: when it asked the API to send its answer
    make_request = app.bot.session.make_request

    async def noted_request(bot: Bot, method: Any, *args: Any, **kwargs: Any) -> Any:
        if type(method).__name__ == "SendMessage":
            answered[id(asyncio.current_task())] = time.perf_counter()
        return await make_request(bot, method, *args, **kwargs)

    app.bot.session.make_request = noted_request  # type: ignore[method-assign]

    async def counted_feed(bot: Bot, update: Update, **kwargs: Any) -> Any:
        counter.take()
        answered.pop(id(asyncio.current_task()), None)  # another task's, of the same id
        started = time.perf_counter()
        try:
            return await feed(bot, update, **kwargs)
        finally:
            text = update.message.text if update.message and update.message.text else ""
            kind = text.split()[0] if text else "other"
            statements, writes = counter.take()
            per_update[kind].append(statements)
            per_update[kind + ":writes"].append(writes)
            sent = answered.pop(id(asyncio.current_task()), None)
            if sent is not None:
                to_answer[kind].append((sent - started) * 1000)

    app.dispatcher.feed_update = counted_feed  # type: ignore[method-assign]
    tick = app.ticker.tick

    async def counted_tick() -> int:
        counter.take()
        started = time.process_time()
        try:
            return await tick()
        finally:
            cpu = (time.process_time() - started) * 1000
            statements, writes = counter.take()
            ticks.append((statements, writes, cpu))

    app.ticker.tick = counted_tick  # type: ignore[method-assign]
    try:
        await prepare_database(app)
        scheduler = build_scheduler(app.ticker, settings.outbox_poll_seconds)
        scheduler.start()
        settle_heap()  # as bot.runner.serve does before it takes updates
        try:
            await app.dispatcher.start_polling(app.bot, polling_timeout=10)
        finally:
            scheduler.pause()
            await app.ticker.idle()
            scheduler.shutdown(wait=False)
    finally:
        await app.close()
    result: dict[str, Any] = {
        "statements_per_update": {k: _median(v) for k, v in per_update.items()},
        "ms_to_answer_per_update": {k: _median(v) for k, v in to_answer.items()},
    }
    if len(marks) < 2:  # not measured (the marks never came): say so, not "no writes"
        return {**result, "idle_ticks": None}
    idle = ticks[marks[0] : marks[1]]
    traffic = ticks[marks[1] :]  # the open cards the finds kept are written by these
    return {
        **result,
        "ticks_before_rest": marks[0],
        "traffic_ticks": len(traffic),
        "traffic_tick_writes": sum(t[1] for t in traffic),
        "idle_ticks": len(idle),
        "idle_tick_statements": _median([t[0] for t in idle]),
        "idle_tick_write_transactions": max((t[1] for t in idle), default=None),
        "idle_tick_cpu_ms": _median([t[2] for t in idle]),
    }


def _median(values: list[Any]) -> float:
    ordered = sorted(values)
    return round(float(ordered[len(ordered) // 2]), 2) if ordered else float("nan")


def main() -> None:
    kind, api, db, stats = sys.argv[1:5]
    logging.basicConfig(level=logging.WARNING)
    try:
        if kind == "echo":
            result = asyncio.run(echo(api))
        elif kind == "card":  # ``db`` is the card's parameters
            result = asyncio.run(card(api, json.loads(Path(db).read_text())))
        else:
            result = asyncio.run(kartoteka(api, db))
    except KeyboardInterrupt:
        result = {}
    Path(stats).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
