"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class SettingsCb(CallbackData, prefix="set"):
    """``action``: lang, tz, tz_pick."""

    action: str
    value: str = ""


class PipelineCb(CallbackData, prefix="pl"):
    """The owner's pipeline and lost-reason settings."""

    action: str
    item_id: int = 0
    value: str = ""


class DigestCb(CallbackData, prefix="dg"):
    """/settings: the summary's time (owner) and one's own morning list."""

    action: str
    value: str = ""
