"""The buttons of this feature. Ids only: untrusted input, re-checked on each press."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from handlers.kit.callbacks import RecordId


class ReportAction(StrEnum):
    MENU = "menu"
    PERIOD = "period"  # a preset's report
    TYPE = "type"  # the question for typed days
    SHOW = "show"
    CHARTS = "charts"
    XLSX = "xlsx"
    SOURCES = "sources"  # the per-source figures
    FIELDS = "fields"  # the deal fields the report can group by
    BY_FIELD = "by_field"  # won and lost per option; ``value``: the field id


class Preset(StrEnum):
    """A period named by where today is: the current day, ISO week, month or quarter."""

    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


class ReportCb(CallbackData, prefix="rep"):
    """/report. ``preset``: the period's name, None for typed days. ``first``/``last``:
    the report's days as YYYYMMDD, both inclusive (checked on each press)."""

    action: ReportAction
    preset: Preset | None = None
    first: int = 0
    last: int = 0
    field_id: RecordId = 0  # By field: the deal field grouped by


class DigestDay(StrEnum):
    TODAY = "today"
    YESTERDAY = "yesterday"


class DigestDayCb(CallbackData, prefix="dgd"):
    """/digest: today so far, or yesterday."""

    day: DigestDay
