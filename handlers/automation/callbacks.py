"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class AutoAction(StrEnum):
    LIST = "list"
    STARTERS = "starters"
    ADD_STARTER = "add"
    RULE = "rule"
    PAUSE = "pause"
    RESUME = "resume"


class AutoCb(CallbackData, prefix="au"):
    """/settings → Automation. ``rule_id`` for a rule's screen; ``code`` for a starter."""

    action: AutoAction
    rule_id: int = 0
    code: str = ""
