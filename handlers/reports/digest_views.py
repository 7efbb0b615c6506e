"""The daily summary and the morning list, as their readers see them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.digest import Morning, Summary
from crm.pipeline import StageView
from handlers.kit.labels import member_name, responsible_name
from handlers.kit.screen import cut_to_fit
from handlers.kit.stages import money, stage_name
from handlers.reports.views import MAX_TEXT
from storage.models import Task, User

MAX_NAMES = 10


def summary_text(
    summary: Summary,
    stages: dict[int, StageView],
    people: dict[int, User],
    currency: str,
    until: str | None = None,
) -> Text:
    """A whole day's summary; with ``until`` (a local time), today's so far. Its lists are
    shortened, the longest first, until it fits Telegram's limit, each saying how many more."""
    day = summary.day.strftime("%d.%m.%Y")
    if summary.quiet:
        quiet = _("Summary for {day}: a quiet day, nothing happened and nothing is stuck.")
        if until is not None:
            quiet = _("Today so far ({day}, until {time}): nothing yet, and nothing is stuck.")
        return Text(quiet.format(day=day, time=until))
    heading = _("Summary for {day}").format(day=day)
    if until is not None:
        heading = _("Today so far ({day}, until {time})").format(day=day, time=until)

    def who(member_id: int) -> str:
        return member_name(people[member_id]) if member_id in people else str(member_id)

    def assignee(member_id: int) -> str:  # "(deactivated)" when nobody is reminded
        return responsible_name(people[member_id]) if member_id in people else str(member_id)

    figures: list[Text] = []
    for label, (count, amount) in (
        (_("Deals created: {count}, {amount}"), summary.deals_created),
        (_("Deals won: {count}, {amount}"), summary.deals_won),
        (_("Deals lost: {count}, {amount}"), summary.deals_lost),
    ):
        if count:
            figures.append(as_line(label.format(count=count, amount=money(amount, currency))))
    if summary.deals_moved:
        figures.append(
            as_line(_("Deals moved to another stage: {count}").format(count=summary.deals_moved))
        )
    members = sorted(set(summary.tasks_done) | set(summary.tasks_overdue))
    exports = [
        _("• {who}: {what} ({format}), rows: {rows}").format(
            who=who(export.actor_id) if export.actor_id in people else "—",
            what=export_label(export.what, export.filters),
            format=export.file_format,
            rows=export.rows,
        )
        for export in summary.exports[:MAX_NAMES]
    ]
    parts: list[Text | _Part | _Names] = [
        as_line(Bold(heading)),
        _Names(
            _("New clients: {count} ({names})"),
            summary.new_clients[:MAX_NAMES],
            len(summary.new_clients),
        ),
        Text(*figures),
        _Part(
            _("Open pipeline"),
            [
                f"• {stage_name(stages[stage_id])}: {count} · {money(amount, currency)}"
                for stage_id, count, amount in summary.pipeline
                if count and stage_id in stages
            ],
            0,
            "/deals",
            gap=True,
        ),
        _Part(
            _("Tasks: done / overdue"),
            [
                f"• {assignee(member_id)}: {summary.tasks_done.get(member_id, 0)} / "
                f"{summary.tasks_overdue.get(member_id, 0)}"
                for member_id in members
            ],
            0,
            gap=True,
        ),
        _Part(
            _("Stale deals"),
            [f"• {title} — {client}" for title, client in summary.stale_deals],
            summary.stale_count,
            "/deals",
            gap=True,
        ),
        _Names(
            _("The bot can no longer reach: {names}. They may have blocked it."),
            [who(member_id) for member_id in summary.unreachable],
            len(summary.unreachable),
            gap=True,
        ),
        _Part(_("Exports"), exports, len(summary.exports), gap=True),
    ]
    return _fit(parts)


def export_label(what: str, filters: dict[str, Any]) -> str:
    """What an export held, in the reader's words."""
    labels = {"clients": _("clients"), "deals": _("deals"), "tasks": _("tasks")}
    if what in labels:
        filtered = what == "clients" and bool(filters)
        return labels[what] + (_(" (filtered)") if filtered else "")
    return str(filters.get("type_name") or _("records"))


def morning_text(morning: Morning, day: date, tz: str) -> Text:
    """The morning list as one message: its longest part shortened until it fits Telegram's
    limit, each shortened part saying how many more there are and where they are."""
    heading = _("Good morning! Your day, {day}").format(day=day.strftime("%d.%m.%Y"))
    if not (morning.today or morning.overdue or morning.stale_deals):
        return Text(heading + "\n" + _("No tasks for today and nothing overdue."))
    zone = ZoneInfo(tz)

    def task_lines(tasks: list[Task]) -> list[str]:
        return [f"• {task.due_at.astimezone(zone):%d.%m %H:%M} {task.title}" for task in tasks]

    parts = [
        _Part(_("Overdue"), task_lines(morning.overdue), morning.overdue_count, "/tasks"),
        _Part(_("Today"), task_lines(morning.today), morning.today_count, "/tasks"),
        _Part(
            _("Your stale deals"),
            [f"• {title} — {client}" for title, client in morning.stale_deals],
            morning.stale_count,
            "/deals",
        ),
    ]
    return _fit([as_line(Bold(heading)), *parts])


def _fit(parts: Sequence[Text | _Part | _Names]) -> Text:
    """The parts, the longest list shortened by one until the whole fits Telegram's
    limit (or nothing of the lists is left to cut); a ``Text`` is kept as it is."""

    def text(shown: Sequence[int]) -> Text:
        return Text(
            *(p if isinstance(p, Text) else p.text(n) for p, n in zip(parts, shown, strict=True))
        )

    lengths = [0 if isinstance(part, Text) else len(part.lines) for part in parts]
    return cut_to_fit(text, lengths, MAX_TEXT)[0]


def _more(hidden: int, where: str = "") -> str:
    if where:
        return _("…and {count} more: {command}").format(count=hidden, command=where)
    return _("…and {count} more").format(count=hidden)


@dataclass(frozen=True)
class _Part:
    """A titled list; ``count``: how many there are, shown or not; ``where``: the command
    that shows them all, if one does; ``gap``: an empty line before it."""

    title: str
    lines: list[str]
    count: int
    where: str = ""
    gap: bool = False

    def text(self, shown: int) -> Text:
        if not self.lines:
            return Text()
        kept: list[Text] = [as_line()] if self.gap else []
        kept += [as_line(Bold(self.title)), *map(as_line, self.lines[:shown])]
        hidden = max(self.count, len(self.lines)) - shown
        if hidden > 0:
            kept.append(as_line(_more(hidden, self.where)))
        return Text(*kept)


@dataclass(frozen=True)
class _Names:
    """Names on one line: ``line`` with ``{names}`` and ``{count}`` (how many there are,
    shown or not; the ones not shown are counted at the end of the names)."""

    line: str
    lines: list[str]  # the names
    count: int
    gap: bool = False

    def text(self, shown: int) -> Text:
        if not self.lines:
            return Text()
        names = self.lines[:shown]
        hidden = max(self.count, len(self.lines)) - shown
        if hidden > 0:
            names.append(_more(hidden))
        line = as_line(self.line.format(count=self.count, names=", ".join(names)))
        return Text(as_line(), line) if self.gap else line
