"""A Bot API stand-in with Telegram's limits (30 messages/s overall, 1/s per chat), answering
429 when they are broken.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetMe, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message, User

from handlers.tasks.callbacks import TaskCb


@dataclass
class Delivery:
    """One sendMessage the fake API accepted."""

    arrived: float  # time.monotonic() when the request reached the "server"
    wall: datetime
    chat_id: int
    task_id: int | None


@dataclass
class Limits:
    per_second: int = 30
    chat_interval: float = 1.0
    group_per_minute: int = 20


class LimitedBotAPI(BaseSession):
    """A Bot API that enforces Telegram's sending limits strictly and answers 429 when broken.

    A ``sendMessage`` travels for ``uplink`` seconds, is judged on arrival against
    the accepted ones before it (≤ 30 in any sliding second overall, ≤ 1 a second
    per chat, ≤ 20 in any sliding minute per group), and its answer travels for
    ``latency - uplink`` more. A refused request raises ``TelegramRetryAfter``
    with a whole number of seconds, as Telegram does, and counts in
    ``responses_429``; it does not use up the limit. Anything else is answered
    plausibly at once.
    """

    def __init__(
        self,
        limits: Limits | None = None,
        latency: tuple[float, float] = (0.03, 0.08),
        uplink: tuple[float, float] = (0.005, 0.015),
        seed: int = 1,
    ) -> None:
        super().__init__()
        self.limits = limits or Limits()
        self._latency = latency
        self._uplink = uplink
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._recent: list[float] = []  # accepted arrivals, sorted, from the last second on
        self._chat_last: dict[int, float] = {}
        self._group_recent: defaultdict[int, deque[float]] = defaultdict(deque)
        self.deliveries: list[Delivery] = []
        self.responses_429 = 0
        self.refusals: Counter[str] = Counter()
        self.max_in_any_second = 0
        self._waiting: dict[int, asyncio.Future[Delivery]] = {}
        self.bot_user = User(id=7_000_000_002, is_bot=True, first_name="Bench", username="bench")

    def expect(self, task_id: int) -> asyncio.Future[Delivery]:
        """A future resolved when a reminder of ``task_id`` arrives."""
        future: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        self._waiting[task_id] = future
        return future

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (the BaseSession signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        if isinstance(method, GetMe):
            return self.bot_user  # type: ignore[return-value]
        if not isinstance(method, SendMessage):
            return True  # type: ignore[return-value]
        total = self._random.uniform(*self._latency)
        up = min(total, self._random.uniform(*self._uplink))
        # The "server" sees the request ``up`` after it was sent, whatever our event
        # loop (which it shares only here) is busy with meanwhile.
        arrived = time.monotonic() + up
        wall = datetime.now(UTC) + timedelta(seconds=up)
        chat_id = int(method.chat_id)
        reason, refused_for = self._refused_for(arrived, chat_id)
        if refused_for > 0:
            self.responses_429 += 1
            self.refusals[reason] += 1
            await asyncio.sleep(total)
            retry_after = max(1, math.ceil(refused_for))
            raise TelegramRetryAfter(
                method=method,
                message=f"Too Many Requests: retry after {retry_after}",
                retry_after=retry_after,
            )
        self._accept(arrived, chat_id)
        delivery = Delivery(arrived, wall, chat_id, _task_id(method))
        self.deliveries.append(delivery)
        await asyncio.sleep(up)
        waiting = self._waiting.pop(delivery.task_id or 0, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(delivery)
        await asyncio.sleep(total - up)
        return Message(  # type: ignore[return-value]
            message_id=next(self._ids),
            date=delivery.wall,
            chat=Chat(id=chat_id, type="private" if chat_id > 0 else "group"),
            from_user=self.bot_user,
            text=method.text,
        )

    def _refused_for(self, now: float, chat_id: int) -> tuple[str, float]:
        """Which limit a message arriving at ``now`` breaks, and for how long (0: none)."""
        limits = self.limits
        recent = self._recent
        del recent[: bisect.bisect_left(recent, now - 2.0)]
        # Arrivals may come a little out of order (the uplink varies): count those
        # within the second before ``now``.
        within = len(recent) - bisect.bisect_right(recent, now - 1.0)
        later = len(recent) - bisect.bisect_right(recent, now)
        if within - later >= limits.per_second:
            first = recent[bisect.bisect_right(recent, now - 1.0)]
            return "global", first + 1.0 - now
        last = self._chat_last.get(chat_id)
        if last is not None and abs(now - last) < limits.chat_interval:
            return "chat", last + limits.chat_interval - now
        if chat_id < 0:
            group = self._group_recent[chat_id]
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= limits.group_per_minute:
                return "group", group[-limits.group_per_minute] + 60.0 - now
        return "", 0.0

    def _accept(self, now: float, chat_id: int) -> None:
        bisect.insort(self._recent, now)
        self.max_in_any_second = max(self.max_in_any_second, self._window_count(now))
        self._chat_last[chat_id] = max(now, self._chat_last.get(chat_id, now))
        if chat_id < 0:
            self._group_recent[chat_id].append(now)

    def _window_count(self, now: float) -> int:
        """Most arrivals in any one-second window that holds ``now``."""
        recent = self._recent
        best = 0
        start = bisect.bisect_left(recent, now - 1.0)
        for index in range(start, bisect.bisect_right(recent, now)):
            end = bisect.bisect_left(recent, recent[index] + 1.0)
            best = max(best, end - index)
        return best


def _task_id(method: SendMessage) -> int | None:
    """The task a reminder is about, read from its Done button."""
    markup = method.reply_markup
    for row in getattr(markup, "inline_keyboard", None) or []:
        for button in row:
            data = button.callback_data
            if data and data.startswith(f"{TaskCb.__prefix__}:"):
                try:
                    return TaskCb.unpack(data).task_id
                except (TypeError, ValueError):
                    continue
    return None
