"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator, Field

from handlers.kit.callbacks import LooseRecordId, Page

Code = Annotated[str, Field(max_length=40)]
"""A name the CRM knows things by (a language, a time zone, a status): checked on each press."""


class SettingsAction(StrEnum):
    MAIN = "main"
    LANG = "lang"  # ``language``
    TZ = "tz"  # the question
    TZ_PICK = "tz_pick"  # ``zone``
    SEE_ALL = "see_all"  # ``on``: the new state
    STATUSES = "statuses"
    RENAME = "rename"  # ``status``
    ADD = "add"


class SettingsCb(CallbackData, prefix="set"):
    """/settings: one's language and time zone; the owner's switches and client statuses."""

    action: SettingsAction
    language: Code = ""
    zone: Code = ""
    status: Code = ""
    on: bool = False


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


def _days(value: object) -> object:
    """A count of days; what is no number at all is 0, which the CRM refuses as days."""
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    if text.isascii() and text.isdigit():
        return min(int(text), 10**6)
    return 0


StaleDays = Annotated[int | None, BeforeValidator(_days)]
"""After how many days a deal goes stale; None: never. The CRM checks the range."""


class PipelineCb(CallbackData, prefix="pl"):
    """The owner's pipeline and lost-reason settings. ``item_id``: the stage or the reason
    (0, or out of range: one that is gone); ``to_id``: the stage the deals of a deleted one
    move to (DELETE_TO, DELETE_YES; 0: none); ``days``: a stage's stale days (STALE_SET;
    None: never); ``page``: of the lost reasons (REASONS)."""

    action: PipelineAction
    item_id: LooseRecordId = 0
    to_id: LooseRecordId = 0
    days: StaleDays = None
    page: Page = 0


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


class BackupAction(StrEnum):
    ASK = "ask"  # the nightly backup's screen
    SET = "set"  # at ``hour``
    OFF = "off"
    BACK = "back"  # to /settings


class BackupCb(CallbackData, prefix="bk"):
    """/settings → Nightly backup (the owner)."""

    action: BackupAction
    hour: int = Field(0, ge=0, le=23)


class DayPartAction(StrEnum):
    LIST = "list"  # the three parts of the day and their times
    ASK = "ask"  # ``part``: the question for its time (answered by typing it)


class DayPartCb(CallbackData, prefix="dp"):
    """/settings: what "утром", "днём", "вечером" mean (owner). ``part`` is checked by the CRM."""

    action: DayPartAction
    part: str = ""
    # Unused, and kept so the buttons already in chats ("dp:list::0:0") still read.
    hour: int = Field(0, ge=0, le=23)
    minute: int = Field(0, ge=0, le=59)
