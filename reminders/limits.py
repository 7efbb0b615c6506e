"""Telegram's sending limits as a slot planner.

About 30 messages a second overall, one a second per private chat and twenty
a minute per group. ``reserve`` books the earliest moment a message to a chat
may go out, and every later booking respects it, so concurrent sends never
break a limit. A 429 pauses everything for its ``retry_after``.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimits:
    def __init__(
        self,
        per_second: float = 30.0,
        chat_interval: float = 1.0,
        group_per_minute: int = 20,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._spacing = 1.0 / per_second
        self._chat_interval = chat_interval
        self._group_per_minute = group_per_minute
        self._monotonic = monotonic
        self._next_global = 0.0
        self._next_chat: dict[int, float] = {}
        self._group_sends: defaultdict[int, deque[float]] = defaultdict(deque)

    def reserve(self, chat_id: int) -> float:
        """Book a slot for ``chat_id`` and return how many seconds from now it starts."""
        now = self._monotonic()
        at = max(now, self._next_global, self._chat_free_at(chat_id, now))
        if chat_id < 0:
            self._group_sends[chat_id].append(at)
        self._next_global = at + self._spacing
        self._next_chat[chat_id] = at + self._chat_interval
        return at - now

    def chat_ready_in(self, chat_id: int) -> float:
        """Seconds until ``chat_id`` may receive again, without booking anything."""
        now = self._monotonic()
        return max(0.0, self._chat_free_at(chat_id, now) - now)

    def _chat_free_at(self, chat_id: int, now: float) -> float:
        """When the chat's own limits (per chat, and per group per minute) next allow a send."""
        at = self._next_chat.get(chat_id, 0.0)
        if chat_id < 0:
            sends = self._group_sends[chat_id]
            while sends and sends[0] <= now - 60.0:
                sends.popleft()
            if len(sends) >= self._group_per_minute:
                at = max(at, sends[-self._group_per_minute] + 60.0)
        return at

    def pause(self, seconds: float) -> None:
        """Hold every send for ``seconds`` (Telegram answered 429)."""
        self._next_global = max(self._next_global, self._monotonic() + seconds)
