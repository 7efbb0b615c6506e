"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class GroupCb(CallbackData, prefix="gr"):
    """The subscription switches under /bind's answer in a group."""

    action: str
    chat_id: int
    topic: str = ""
