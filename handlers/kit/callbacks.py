"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CancelCb(CallbackData, prefix="cancel"):
    pass
