"""Telegram's sending limits: a slot planner, and a last check when a message goes out.

About 30 messages a second overall, one a second per private chat and twenty
a minute per group. ``reserve`` books a message the earliest moment its chat's
limits allow that is at least ``(1 + margin) / per_second`` away from every
other booking. Gaps are filled: a message that must wait for its busy chat
leaves the moments before it to others instead of holding everyone up.

Sends never go out exactly on time (the event loop is busy, the network
jitters), and a window of one second that sees 31 messages earns a 429. So
right before sending, ``admit`` checks the limits against when messages
actually went out, with ``margin`` to spare, and says how long to wait if a
message is early. A 429 pauses everything for its ``retry_after``.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from contextvars import ContextVar

# Dictionaries of chats are swept of stale entries when they grow past this.
_SWEEP_AT = 4096

# Set while the outbox sender makes a request: it paces and retries its own messages,
# so the request layer (bot.flood) lets them through as they are.
PACED: ContextVar[bool] = ContextVar("outbox_paced", default=False)


class RateLimits:
    def __init__(
        self,
        per_second: float = 30.0,
        chat_interval: float = 1.0,
        group_per_minute: int = 20,
        monotonic: Callable[[], float] = time.monotonic,
        margin: float = 0.025,
    ) -> None:
        self._margin = margin
        self._spacing = (1.0 + margin) / per_second
        self._per_window = max(1, math.floor(per_second))
        self._chat_interval = chat_interval
        self._group_per_minute = group_per_minute
        self._monotonic = monotonic
        self._paused_until = 0.0
        # The plan: booked moments (sorted, at least ``spacing`` apart) and, per chat,
        # when its limits next allow one.
        self._booked: list[float] = []
        self._next_chat: dict[int, float] = {}
        self._group_booked: defaultdict[int, deque[float]] = defaultdict(deque)
        # What actually went out.
        self._sent: deque[float] = deque(maxlen=self._per_window)
        self._chat_sent: dict[int, float] = {}
        self._group_sent: defaultdict[int, deque[float]] = defaultdict(deque)

    # --- planning --------------------------------------------------------------------------

    def reserve(self, chat_id: int) -> float:
        """Book a slot for ``chat_id`` and return how many seconds from now it starts."""
        now = self._monotonic()
        earliest = max(now, self._paused_until)
        if chat_id in self._next_chat or chat_id < 0:
            # The plan keeps a margin between one chat's messages too.
            earliest = max(earliest, self._chat_free_at(chat_id, now) + self._margin)
        at = self._book(earliest, now)
        self._next_chat[chat_id] = at + self._chat_interval
        if chat_id < 0:
            self._group_booked[chat_id].append(at)
        if len(self._next_chat) > _SWEEP_AT:
            self._sweep(now)
        return at - now

    def backlog(self) -> float:
        """Seconds until the last booked slot: how long everything booked takes to go out."""
        return max(0.0, self._booked[-1] - self._monotonic()) if self._booked else 0.0

    def chat_ready_in(self, chat_id: int) -> float:
        """Seconds until ``chat_id`` may receive again, without booking anything."""
        now = self._monotonic()
        return max(0.0, self._chat_free_at(chat_id, now) - now)

    def _chat_free_at(self, chat_id: int, now: float) -> float:
        """When the chat's own limits (per chat, and per group per minute) next allow a send."""
        at = self._next_chat.get(chat_id, 0.0)
        if chat_id < 0:
            booked = self._group_booked[chat_id]
            while booked and booked[0] <= now - 60.0:
                booked.popleft()
            if len(booked) >= self._group_per_minute:
                at = max(at, booked[-self._group_per_minute] + 60.0)
        return at

    def _book(self, earliest: float, now: float) -> float:
        """The first moment from ``earliest`` at least ``spacing`` away from every booked one."""
        booked, spacing = self._booked, self._spacing
        del booked[: bisect.bisect_left(booked, now - 1.0)]
        index = bisect.bisect_left(booked, earliest)
        at = earliest
        if index and at - booked[index - 1] < spacing:
            at = booked[index - 1] + spacing
        while index < len(booked) and booked[index] - at < spacing:
            at = booked[index] + spacing
            index += 1
        booked.insert(index, at)
        return at

    # --- sending ---------------------------------------------------------------------------

    def now(self) -> float:
        """The limits' clock (``time.monotonic`` unless a test gave another)."""
        return self._monotonic()

    def admit(self, chat_id: int, booked: float = 0.0) -> float:
        """Right before a send: 0.0 and the send is counted, or seconds to wait first.

        Checks the limits against when messages really went out, keeping a
        margin, so a late message never crowds the ones after it (they go a
        little late too), and keeps messages nearly as far apart as planned, so
        those held up together (by a pause, or a busy event loop) leave one by
        one rather than in a burst. The window keeps a little less margin than
        the plan, so messages that fell behind it catch up. ``booked`` is the
        moment ``reserve`` gave the message; it never counts as sent earlier.
        """
        now = max(self._monotonic(), booked)
        spare = self._margin
        wait = self._paused_until - now
        if self._sent and self._sent[-1] <= now:  # (not so on a test's frozen clock)
            wait = max(wait, self._sent[-1] + 0.9 * self._spacing - now)
        if len(self._sent) == self._per_window:
            wait = max(wait, self._sent[0] + 1.0 + 0.8 * spare - now)
        last = self._chat_sent.get(chat_id)
        if last is not None:
            wait = max(wait, last + self._chat_interval + spare - now)
        if chat_id < 0:
            sent = self._group_sent[chat_id]
            while sent and sent[0] <= now - 60.0 - spare:
                sent.popleft()
            if len(sent) >= self._group_per_minute:
                wait = max(wait, sent[-self._group_per_minute] + 60.0 + spare - now)
        if wait > 0:
            return wait
        self._sent.append(now)
        self._chat_sent[chat_id] = now
        if chat_id < 0:
            self._group_sent[chat_id].append(now)
        if len(self._chat_sent) > _SWEEP_AT:
            self._sweep(now)
        return 0.0

    def note_sent(self, chat_id: int) -> None:
        """An answer to a member went out now: the outbox leaves the chat its interval."""
        now = self._monotonic()
        self._chat_sent[chat_id] = max(now, self._chat_sent.get(chat_id, now))
        if chat_id < 0:
            self._group_sent[chat_id].append(now)

    def pause(self, seconds: float) -> None:
        """Hold every send for ``seconds`` (Telegram answered 429)."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    def _sweep(self, now: float) -> None:
        """Forget chats whose limits no longer hold anything back."""
        self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
        stale = now - self._chat_interval - self._margin
        self._chat_sent = {chat: at for chat, at in self._chat_sent.items() if at > stale}
        for groups in (self._group_booked, self._group_sent):
            for chat in [
                chat for chat, times in groups.items() if not times or times[-1] < now - 61
            ]:
                del groups[chat]
