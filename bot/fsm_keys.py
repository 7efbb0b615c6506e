"""The Redis keys of the FSM storage before REDIS_PREFIX and the bot's id joined them
(``bot.fsm_storage`` reads these once): a chat's dialog where aiogram's default puts it,
and what is kept beside it under another destiny (``handlers.kit.once``: the send
buttons that have sent, which ending a dialog must not forget; ``handlers.kit.cancel_steps``:
the messages that asked the dialog's questions).

aiogram's default key builder refuses any destiny but the default, and told to write
destinies it writes the default's too, so every dialog stored before would be lost on
an upgrade; this one writes the default's keys as before and another's with it."""

from __future__ import annotations

from typing import Literal

from aiogram.fsm.storage.base import DEFAULT_DESTINY, DefaultKeyBuilder, StorageKey


class DestinyKeys(DefaultKeyBuilder):
    def __init__(self) -> None:
        super().__init__()
        self._with_destiny = DefaultKeyBuilder(with_destiny=True)

    def build(self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None) -> str:
        if key.destiny == DEFAULT_DESTINY:
            return super().build(key, part)
        return self._with_destiny.build(key, part)
