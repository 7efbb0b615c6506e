"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from pydantic import Field


class SettingsCb(CallbackData, prefix="set"):
    """``action``: lang, tz, tz_pick."""

    action: str
    value: str = ""


class PipelineAction(StrEnum):
    SETTINGS = "settings"
    STAGES = "stages"
    STAGE = "stage"
    ADD = "add"
    RENAME = "rename"
    STALE = "stale"
    STALE_SET = "stale_set"
    UP = "up"
    DOWN = "down"
    DELETE = "delete"
    DELETE_TO = "delete_to"
    DELETE_YES = "delete_yes"
    REASONS = "reasons"
    REASON = "reason"
    REASON_ADD = "reason_add"
    REASON_RENAME = "reason_rename"
    REASON_DELETE = "reason_delete"
    REASON_DELETE_YES = "reason_delete_yes"


class PipelineCb(CallbackData, prefix="pl"):
    """The owner's pipeline and lost-reason settings. ``value``: days (or "none"), a stage
    to move deals to, or a page: read and checked by the handler of the action."""

    action: PipelineAction
    item_id: int = 0
    value: str = ""


class DigestAction(StrEnum):
    MORNING = "morning"  # ``on``: the morning list's new state
    TIME = "time"  # the question
    SET = "set"  # ``hour``:``minute``


class DigestCb(CallbackData, prefix="dg"):
    """/settings: the summary's time (owner) and one's own morning list."""

    action: DigestAction
    on: bool = False
    hour: int = Field(0, ge=0, le=23)
    minute: int = Field(0, ge=0, le=59)


class DayPartAction(StrEnum):
    LIST = "list"  # the three parts of the day and their times
    ASK = "ask"  # ``part``: the question for its time
    SET = "set"  # ``part`` at ``hour``:``minute``


class DayPartCb(CallbackData, prefix="dp"):
    """/settings: what "утром", "днём", "вечером" mean (owner). ``part`` is checked by the CRM."""

    action: DayPartAction
    part: str = ""
    hour: int = Field(0, ge=0, le=23)
    minute: int = Field(0, ge=0, le=59)
