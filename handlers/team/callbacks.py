"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class InviteRoleCb(CallbackData, prefix="inv"):
    role: str


class TeamCb(CallbackData, prefix="team"):
    """``action``: list, open, role, ask_off, off, on."""

    action: str
    member_id: int = 0
    role: str = ""
    page: int = 0
