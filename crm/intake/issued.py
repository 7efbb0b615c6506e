"""Source tokens issued in this process, told at once to whoever in it keeps the known ones.

The web route knows the active sources' token hashes without a lookup per request
(``bot.web.lead_tokens``), reading them again at most once a second. A source made (or its
token replaced) a moment ago was not among them yet, and while made-up tokens had spent
their shared rate bucket its first form got 429 until the next read. Now the process that
issues a token tells its route at once, after the commit; another instance's route learns
it at its next read, within a second (``RELOAD_SECONDS``).
"""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str, str | None], None]  # the new token's hash, and the one it replaced


class IssuedTokens:
    """One per process (``CrmFactory``): the listeners of newly issued tokens."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def tell(self, digest: str, replaced: str | None = None) -> None:
        for listener in self._listeners:
            listener(digest, replaced)
