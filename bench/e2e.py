"""End to end: Kartoteka's real Dispatcher over HTTP, against a bare aiogram echo bot.

``python -m bench.e2e`` starts a local fake Bot API (``bench.fake_api``), then
runs each bot in its own process, polling it through ``TELEGRAM_API_URL`` as
it would poll Telegram: first the smallest aiogram echo bot, then Kartoteka
as ``python -m bot`` runs it (``bot.app.build_app``, the scheduler ticking
every second) on a ``bench.clients`` base (100,000 clients by default). The
benchmark is the owner of that team, chatting in private:

* ``menu``: ``/help``, one message in, one answer out;
* ``find``: ``/find <full name>`` of a client only that name finds, which opens
  the card; each name is asked twice in a row (the second time the open card
  does not change). Their p50s are given apart too: the first (a new open card,
  kept in the process and written by the clock's next tick: ``crm/open_cards.py``)
  and the second (the same card, nothing kept). Up to the fourteenth session the
  first was written after its answer, and the second paid for that write.

Last, the floor under a ``find``: an aiogram bot that answers every message with
the last card Kartoteka sent (its text and keyboard, built once), so what it takes
is Telegram's transport and aiogram's sending of that card, and the rest of a
``find`` is Kartoteka's own work. The echo bot and the floor get the same texts.
Times are from the update being handed to the bot's getUpdates to its sendMessage
arriving, per update, one at a time.
Also: RSS at rest, CPU per update and per idle tick, and from inside the bot
statements and write transactions per update and per idle tick, and the ms before
an update's answer is asked of the API (the rest is transport). Progress goes to
stderr; the last line of stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import log
from bench.e2e_base import OWNER_ID, prepare, unique_names
from bench.e2e_bots import REST
from bench.fake_api import FakeBotApi

TOKEN = "123456:bench"
TICKS = os.sysconf("SC_CLK_TCK")


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return round(ordered[max(math.ceil(q * len(ordered)) - 1, 0)], 2)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return math.nan


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Bot:
    """One bot process polling the fake API."""

    def __init__(self, kind: str, api: FakeBotApi, db: Path, stats: Path) -> None:
        self.kind, self._api, self._db, self._stats = kind, api, db, stats
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        polls = self._api.polls
        command = [sys.executable, "-m", "bench.e2e_bots", self.kind, self._api.url]
        self.process = await asyncio.to_thread(
            subprocess.Popen,
            [*command, str(self._db), str(self._stats)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 300  # imports and migrations, on a busy machine
        while self._api.polls == polls:  # ready once it polls
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"the {self.kind} bot did not start")
            await asyncio.sleep(0.05)

    async def stop(self) -> dict[str, Any]:
        assert self.process is not None
        self.process.send_signal(2)  # SIGINT: aiogram stops polling cleanly
        await asyncio.to_thread(self.process.wait, 60)
        if self._stats.exists():
            return dict(json.loads(self._stats.read_text()))
        return {}


async def quiet(api: FakeBotApi, for_s: float = 3.0, limit_s: float = 300.0) -> None:
    """Wait until the bot has sent nothing for ``for_s`` seconds."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        sent = api.total_answers()
        await asyncio.sleep(for_s)
        if api.total_answers() == sent:
            return
    raise SystemExit("the bot never went quiet")


async def exchange(api: FakeBotApi, text: str) -> float:
    """Send ``text`` as the owner; milliseconds until the bot answers."""
    before = len(api.answers(OWNER_ID))
    started = await api.push_text(OWNER_ID, text)
    await api.answer_in(OWNER_ID, before)
    return (api.answers(OWNER_ID)[before][0] - started) * 1000


async def measure_bot(
    kind: str, api: FakeBotApi, db: Path, names: list[str], rounds: int, rest_s: float
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kartoteka-e2e-") as tmp:
        bot = Bot(kind, api, db, Path(tmp) / "stats.json")
        await bot.start()
        assert bot.process is not None
        pid = bot.process.pid
        await quiet(api)  # startup done: the day's digests composed and sent
        bot.process.send_signal(REST)  # the idle ticks begin here
        cpu_before, rest_started = cpu_s(pid), time.monotonic()
        await asyncio.sleep(rest_s)
        rest_cpu_ms = (cpu_s(pid) - cpu_before) * 1000
        rest_seconds = time.monotonic() - rest_started
        bot.process.send_signal(REST)  # the rest is over: the idle ticks end here
        rss_rest = rss_mb(pid)
        log(f"{kind}: RSS at rest {rss_rest} MB")
        for text in ["/help", f"/find {names[-1]}"] * 3:  # warm-up (not the first name timed)
            await exchange(api, text)
        menu: list[float] = []
        find: list[float] = []
        cpu_before = cpu_s(pid)
        for _ in range(rounds):
            menu.append(await exchange(api, "/help"))
        menu_cpu = (cpu_s(pid) - cpu_before) * 1000 / rounds
        if kind == "kartoteka":
            answer = api.answers(OWNER_ID)[-1][1]
            assert "/find" in answer, f"/help did not answer with the commands: {answer[:80]!r}"
        cpu_before = cpu_s(pid)
        for index in range(rounds):
            name = names[(index // 2) % len(names)]
            find.append(await exchange(api, f"/find {name}"))
            if kind == "kartoteka":
                answer = api.answers(OWNER_ID)[-1][1]
                assert name in answer, f"not the card: {answer[:120]!r}"
        find_cpu = (cpu_s(pid) - cpu_before) * 1000 / rounds
        rss_after = rss_mb(pid)
        stats = await bot.stop()
    result = {
        "rss_rest_mb": rss_rest,
        "rss_after_mb": rss_after,
        "menu_p50_ms": quantile(menu, 0.5),
        "menu_p95_ms": quantile(menu, 0.95),
        "find_p50_ms": quantile(find, 0.5),
        "find_p95_ms": quantile(find, 0.95),
        # Each name twice: the first find opens another card (kept, written by a tick),
        # the second opens the same card again (nothing kept).
        "find_new_card_p50_ms": quantile(find[0::2], 0.5),
        "find_same_card_p50_ms": quantile(find[1::2], 0.5),
        "menu_cpu_ms": round(menu_cpu, 2),
        "find_cpu_ms": round(find_cpu, 2),
        "rest_cpu_ms_per_s": round(rest_cpu_ms / rest_seconds, 2),
    }
    result.update(stats)
    return result


async def run(args: argparse.Namespace, db: Path, names: list[str]) -> dict[str, Any]:
    from bench.common import cpu_reference_ms

    log(f"{len(names)} names that find one client each, e.g. {names[0]!r}")
    api = FakeBotApi()
    await api.start()
    try:
        echo = await measure_bot("echo", api, db, names, args.rounds, args.rest)
        log(f"echo: {echo}")
        bot = await measure_bot("kartoteka", api, db, names, args.rounds, args.rest)
        log(f"kartoteka: {bot}")
        with tempfile.TemporaryDirectory(prefix="kartoteka-e2e-") as tmp:
            sent = Path(tmp) / "card.json"  # the last card Kartoteka sent, as it sent it
            sent.write_text(json.dumps(api.answers(OWNER_ID)[-1][2], ensure_ascii=False))
            card = await measure_bot("card", api, sent, names, args.rounds, args.rest)
        log(f"card: {card}")
    finally:
        await api.stop()
    base = echo["menu_p50_ms"]
    return {
        "clients": args.clients,
        "rounds": args.rounds,
        "echo": echo,
        "kartoteka": bot,
        "card_floor": card,
        "menu_vs_echo_p50": round(bot["menu_p50_ms"] / base, 2),
        "find_vs_echo_p50": round(bot["find_p50_ms"] / base, 2),
        # What Kartoteka adds to the echo bot's answer, whatever the transport costs.
        "menu_over_echo_p50_ms": round(bot["menu_p50_ms"] - echo["menu_p50_ms"], 2),
        "find_over_echo_p50_ms": round(bot["find_p50_ms"] - echo["find_p50_ms"], 2),
        # The floor: aiogram sending that card, with nothing to find or read.
        "card_floor_vs_echo_p50": round(card["find_p50_ms"] / base, 2),
        "find_over_card_floor_p50_ms": round(bot["find_p50_ms"] - card["find_p50_ms"], 2),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "cpu_ref_ms": cpu_reference_ms(),
        "cpus": os.cpu_count(),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=None, help="default: 10 per client")
    parser.add_argument("--rounds", type=int, default=200, help="updates timed per kind")
    parser.add_argument("--rest", type=float, default=5.0, help="seconds measured at rest")
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--db", type=Path, help="a bench.clients database (made if missing)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.db is not None:
        prepare(args, args.db)
        result = asyncio.run(run(args, args.db, unique_names(args.db, 20)))
    else:
        with tempfile.TemporaryDirectory(prefix="kartoteka-e2e-") as tmp:
            path = Path(tmp) / "bench.db"
            prepare(args, path)
            result = asyncio.run(run(args, path, unique_names(path, 20)))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
