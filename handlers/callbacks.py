"""Every inline button's data. Ids only: it is untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CancelCb(CallbackData, prefix="cancel"):
    pass


class InviteRoleCb(CallbackData, prefix="inv"):
    role: str


class TeamCb(CallbackData, prefix="team"):
    """``action``: list, open, role, ask_off, off, on."""

    action: str
    member_id: int = 0
    role: str = ""
    page: int = 0


class SettingsCb(CallbackData, prefix="set"):
    """``action``: lang, tz, tz_pick."""

    action: str
    value: str = ""
