"""A local stand-in for the Telegram Bot API, over HTTP, for ``bench.e2e``.

It answers what a polling bot calls (getMe, getUpdates with long polling,
sendMessage, editMessageText, answerCallbackQuery, and anything else with
``true``) the way Telegram does, and lets the benchmark push updates and wait
for the bot's answer in a chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict
from typing import Any

from aiohttp import web

BOT_ID = 777_000
ANSWERS = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")


def private_text(update_id: int, message_id: int, user_id: int, text: str) -> dict[str, Any]:
    """An update as Telegram sends it: a text from ``user_id`` in private, a command
    marked as one."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Bench"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Bench"},
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": message}


class FakeBotApi:
    def __init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._arrived = asyncio.Condition()
        self._answers: dict[int, list[tuple[float, str, dict[str, Any]]]] = defaultdict(list)
        self._answered = asyncio.Condition()
        self.polls = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the benchmark does ------------------------------------------------------------

    async def push_text(self, user_id: int, text: str) -> float:
        """Queue a private message from ``user_id``; returns when it was queued."""
        update = private_text(next(self._update_ids), next(self._message_ids), user_id, text)
        async with self._arrived:
            self._updates.append(update)
            self._arrived.notify_all()
        return time.perf_counter()

    async def answer_in(self, chat_id: int, count_before: int) -> str:
        """Wait for the bot's next answer in ``chat_id`` (after ``count_before`` of them)."""
        async with asyncio.timeout(60), self._answered:
            await self._answered.wait_for(lambda: len(self._answers[chat_id]) > count_before)
            return self._answers[chat_id][count_before][1]

    def total_answers(self) -> int:
        return sum(len(answers) for answers in self._answers.values())

    def answers(self, chat_id: int) -> list[tuple[float, str, dict[str, Any]]]:
        return self._answers[chat_id]

    # --- what the bot calls -----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        if method == "getUpdates":
            result: Any = await self._get_updates(params)
        elif method == "getMe":
            result = {"id": BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif method in ANSWERS:
            result = await self._answer(method, params)
        else:  # answerCallbackQuery, setMyCommands, deleteWebhook, …
            result = True
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polls += 1
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        async with self._arrived:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout)
            return list(self._updates)

    async def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id") or 0)
        text = str(params.get("text") or params.get("caption") or "")
        async with self._answered:
            self._answers[chat_id].append((time.perf_counter(), text, params))
            self._answered.notify_all()
        return {
            "message_id": int(params.get("message_id") or next(self._message_ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Bench"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bench"},
            "text": text,
        }


async def _params(request: web.Request) -> dict[str, Any]:
    """The bot posts JSON (files as form data, JSON-encoded values for objects); GETs use
    the query."""
    if request.method == "GET":
        return dict(request.query)
    if request.content_type == "application/json":
        return dict(await request.json())
    data = await request.post()
    params: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                params[key] = json.loads(value)
                continue
            except ValueError:
                pass
        params[key] = value
    return params
