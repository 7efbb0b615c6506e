"""The report's period: the named presets, typed days and the days a button carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from crm.parsing.report_period import YEARS, parse_report_days, sensible
from handlers.reports.callbacks import Preset, ReportCb


class StaleButton(Exception):
    """A press that no longer means anything: an unknown action or days that make no sense."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    preset: Preset | None = None  # None: typed days

    def bounds(self, timezone: str, now: datetime) -> tuple[datetime, datetime]:
        """Local midnight of the first day, and of the day after the last (never after now)."""
        zone = ZoneInfo(timezone)
        start, end = (
            datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
            for day in (self.first, self.last + timedelta(days=1))
        )
        return start, max(start, min(end, now))

    def label(self) -> str:
        first, last = (day.strftime("%d.%m.%Y") for day in (self.first, self.last))
        days = first if first == last else f"{first}–{last}"
        if self.preset is None:
            return days
        return f"{preset_name(self.preset)}, {days}"


def preset_name(preset: Preset) -> str:
    return {
        Preset.TODAY: _("Today"),
        Preset.WEEK: _("This week"),
        Preset.MONTH: _("This month"),
        Preset.QUARTER: _("This quarter"),
    }[preset]


def today_of(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def preset_period(preset: Preset, today: date) -> Period:
    """The current calendar day, ISO week, month or quarter, up to today."""
    if preset == Preset.TODAY:
        first = today
    elif preset == Preset.WEEK:
        first = today - timedelta(days=today.weekday())
    elif preset == Preset.MONTH:
        first = today.replace(day=1)
    else:
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return Period(first, today, preset)


def typed_period(text: str, today: date) -> Period | None:
    """``01.10–31.10``, ``01.10.2026–31.10.2026`` or one day; None if unreadable or too long."""
    days = parse_report_days(text, today)
    return None if days is None else Period(*days)


def pack_day(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def unpack_day(value: int) -> date:
    if value // 10_000 not in YEARS:
        raise StaleButton()
    try:
        return date(value // 10_000, value // 100 % 100, value % 100)
    except ValueError:
        raise StaleButton() from None


def period_of(data: ReportCb) -> Period:
    """The days a button carries, checked: it is untrusted input."""
    first, last = unpack_day(data.first), unpack_day(data.last)
    if not sensible(first, last):
        raise StaleButton()
    return Period(first, last, data.preset)


def pressed_period(data: ReportCb, today: date) -> Period:
    """The period a report's button shows: a preset's as of today, or the days it carries."""
    return period_of(data) if data.preset is None else preset_period(data.preset, today)
