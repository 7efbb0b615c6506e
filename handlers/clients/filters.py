"""The client list's filters: what a person chose, how it is remembered, what it means in SQL.

Callback data holds at most 64 bytes, too little for a tag and a city, so the
chosen filters live in the member's FSM data, one entry per list message
(keyed by its message id; the last ``KEEP_LISTS`` lists are kept). Navigation
edits a list in place, so its id stays the key while it is paged and filtered,
and two list messages never mix their filters. A button of a list that is no
longer remembered (too old, or the data was cleared) works on empty filters,
and the person is told so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.fsm.context import FSMContext

from crm import access
from crm.client_filter import ClientFilter
from crm.field_filters import FieldFilter, from_plain, to_plain
from crm.parsing.periods import PERIOD_PRESETS, preset_days
from crm.parsing.periods import parse_period as parse_period  # reports/views.py reads it here
from storage.models import User

LISTS_KEY = "client_lists"
KEEP_LISTS = 10
DATES = "dates"  # ``period`` when the person typed the days


@dataclass(frozen=True)
class ListFilters:
    status: str | None = None
    tag: str | None = None
    city: str | None = None
    manager_id: int | None = None
    unassigned: bool = False
    open_deals: bool = False
    overdue_tasks: bool = False
    period: str | None = None  # one of PERIOD_PRESETS, or DATES
    first_day: date | None = None  # with DATES, both days inclusive
    last_day: date | None = None
    archived: bool = False  # the archive view, kept when the filters are reset
    fields: tuple[FieldFilter, ...] = ()  # custom fields (handlers.kit.field_filters)

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the archive view is a view, not a filter)."""
        return self != ListFilters(archived=self.archived)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe and short (defaults left out), for any FSM storage."""
        default = ListFilters()
        plain: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value == getattr(default, item.name):
                continue
            if item.name == "fields":
                plain[item.name] = [to_plain(one) for one in value]
            else:
                plain[item.name] = value.isoformat() if isinstance(value, date) else value
        return plain

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListFilters:
        """Whatever was stored; anything malformed falls back to no filters."""
        try:
            values: dict[str, Any] = {}
            for item in fields(cls):
                if item.name not in data:
                    continue
                value = data[item.name]
                if item.name == "fields":
                    read = [from_plain(one) for one in value] if isinstance(value, list) else []
                    value = tuple(one for one in read if one is not None)
                elif item.name in ("first_day", "last_day"):
                    value = date.fromisoformat(str(value))
                elif item.name == "manager_id":
                    value = int(value)
                values[item.name] = value
            return cls(**values)
        except (TypeError, ValueError):
            return cls()


def token(text: str) -> str:
    """A short, stable reference to a tag or a city for callback data."""
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def created_days(filters: ListFilters, today: date) -> tuple[date, date] | None:
    """The first day and the day after the last of the chosen period, or None."""
    if filters.period in PERIOD_PRESETS:
        return preset_days(filters.period, today)
    if filters.period == DATES and filters.first_day and filters.last_day:
        return filters.first_day, filters.last_day + timedelta(days=1)
    return None


def to_client_filter(filters: ListFilters, reader: User, now: datetime) -> ClientFilter:
    """The query for these filters, with days in the reader's time zone.

    The responsible filter is only for owners and admins; it is dropped for
    anyone else, even if it was chosen before their role changed.
    """
    zone = ZoneInfo(reader.timezone)
    created_from = created_to = None
    days = created_days(filters, now.astimezone(zone).date())
    if days is not None:
        created_from, created_to = (
            datetime.combine(day, time(), tzinfo=zone).astimezone(UTC) for day in days
        )
    staff = access.is_staff(reader)
    return ClientFilter(
        status=filters.status,
        tag=filters.tag,
        manager_id=filters.manager_id if staff else None,
        unassigned=filters.unassigned and staff,
        city=filters.city,
        has_open_deals=filters.open_deals,
        has_overdue_tasks=filters.overdue_tasks,
        created_from=created_from,
        created_to=created_to,
        archived=filters.archived,
        fields=filters.fields,
    )


async def recall(state: FSMContext, message_id: int) -> ListFilters | None:
    """The filters of the list in this message, or None if it is not remembered."""
    lists = (await state.get_data()).get(LISTS_KEY)
    saved = lists.get(str(message_id)) if isinstance(lists, dict) else None
    return ListFilters.from_dict(saved) if isinstance(saved, dict) else None


async def remember(state: FSMContext, message_id: int, filters: ListFilters) -> None:
    lists = (await state.get_data()).get(LISTS_KEY)
    kept = dict(lists) if isinstance(lists, dict) else {}
    kept.pop(str(message_id), None)
    kept[str(message_id)] = filters.to_dict()
    while len(kept) > KEEP_LISTS:
        kept.pop(next(iter(kept)))
    await state.update_data({LISTS_KEY: kept})
