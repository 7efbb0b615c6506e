"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ReportCb(CallbackData, prefix="rep"):
    """/report: ``action`` menu, period (``value``: today/week/month/quarter), type, show,
    charts, xlsx. ``first``/``last``: the report's days as YYYYMMDD, both inclusive."""

    action: str
    value: str = ""
    first: int = 0
    last: int = 0
