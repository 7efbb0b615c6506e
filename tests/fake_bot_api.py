"""A Bot API server on 127.0.0.1 for bot processes started with TELEGRAM_API_URL.

Each process gets its own base URL (``http://127.0.0.1:port/<instance>``), so
every request recorded says which instance made it. Requests are recorded
when they are answered; a request whose caller went away meanwhile (it was
killed) is not, as Telegram would not have delivered it. ``hold`` keeps the
answers to chosen requests back until ``release`` (or the caller dies).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7_100_000_001


@dataclass
class Call:
    instance: str
    method: str
    fields: dict[str, Any]
    content_type: str = ""
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        value = self.fields.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.fields.get("text") or "")


class FakeBotApi:
    def __init__(self, bot_id: int = BOT_ID, delay: float = 0.0) -> None:
        self.bot_id = bot_id
        self.calls: list[Call] = []
        self.delay = delay
        self._ids = itertools.count(1)
        self._hold: Callable[[Call], bool] | None = None
        self._released = asyncio.Event()
        self.held: list[Call] = []
        self.arrived: list[Call] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    def base_url(self, instance: str) -> str:
        return f"http://127.0.0.1:{self.port}/{instance}"

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def hold(self, rule: Callable[[Call], bool]) -> None:
        self._released.clear()
        self._hold = rule

    def release(self) -> None:
        self._hold = None
        self._released.set()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{instance}/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        fields: dict[str, Any] = {}
        if request.content_type == "application/json":  # as the bot sends (bot.api_session)
            fields = dict(await request.json())
        else:  # form data, as aiogram sends files
            for key, value in (await request.post()).items():
                text = value if isinstance(value, str) else ""
                try:
                    fields[key] = json.loads(text)
                except ValueError:
                    fields[key] = text
        call = Call(
            request.match_info["instance"],
            request.match_info["method"],
            fields,
            request.content_type,
        )
        self.arrived.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._hold is not None and self._hold(call):
            self.held.append(call)
            while not self._released.is_set():
                if request.transport is None or request.transport.is_closing():
                    return web.json_response({"ok": False})  # the caller died: not delivered
                await asyncio.sleep(0.02)
        if request.transport is None or request.transport.is_closing():
            return web.json_response({"ok": False})
        self.calls.append(call)
        return web.json_response({"ok": True, "result": self._result(call)})

    def _result(self, call: Call) -> Any:
        if call.method == "getMe":
            return {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Kartoteka",
                "username": "k_bot",
            }
        if call.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto"):
            chat = call.chat_id or 0
            return {
                "message_id": call.fields.get("message_id") or next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private" if chat > 0 else "group"},
                "text": call.text or None,
            }
        if call.method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True
