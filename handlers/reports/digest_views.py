"""The daily summary and the morning list, as their readers see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.digest import Morning, Summary
from crm.pipeline import StageView
from handlers.kit.labels import member_name
from handlers.kit.stages import money, stage_name
from handlers.reports.views import MAX_TEXT, telegram_length
from storage.models import Task, User

MAX_NAMES = 10


def summary_text(
    summary: Summary,
    stages: dict[int, StageView],
    people: dict[int, User],
    currency: str,
    until: str | None = None,
) -> Text:
    """A whole day's summary; with ``until`` (a local time), today's so far."""
    day = summary.day.strftime("%d.%m.%Y")
    if summary.quiet:
        quiet = _("Summary for {day}: a quiet day, nothing happened and nothing is stuck.")
        if until is not None:
            quiet = _("Today so far ({day}, until {time}): nothing yet, and nothing is stuck.")
        return Text(quiet.format(day=day, time=until))
    heading = _("Summary for {day}").format(day=day)
    if until is not None:
        heading = _("Today so far ({day}, until {time})").format(day=day, time=until)
    parts = [as_line(Bold(heading))]
    if summary.new_clients:
        shown = ", ".join(summary.new_clients[:MAX_NAMES])
        more = "…" if len(summary.new_clients) > MAX_NAMES else ""
        parts.append(
            as_line(
                _("New clients: {count} ({names})").format(
                    count=len(summary.new_clients), names=shown + more
                )
            )
        )
    for label, (count, amount) in (
        (_("Deals created: {count}, {amount}"), summary.deals_created),
        (_("Deals won: {count}, {amount}"), summary.deals_won),
        (_("Deals lost: {count}, {amount}"), summary.deals_lost),
    ):
        if count:
            parts.append(as_line(label.format(count=count, amount=money(amount, currency))))
    if summary.deals_moved:
        parts.append(
            as_line(_("Deals moved to another stage: {count}").format(count=summary.deals_moved))
        )
    if any(count for _id, count, _amount in summary.pipeline):
        parts.append(as_line())
        parts.append(as_line(Bold(_("Open pipeline"))))
        for stage_id, count, amount in summary.pipeline:
            if count and stage_id in stages:
                parts.append(
                    as_line(
                        f"• {stage_name(stages[stage_id])}: {count} · {money(amount, currency)}"
                    )
                )
    members = sorted(set(summary.tasks_done) | set(summary.tasks_overdue))
    if members:
        parts.append(as_line())
        parts.append(as_line(Bold(_("Tasks: done / overdue"))))
        for member_id in members:
            who = member_name(people[member_id]) if member_id in people else str(member_id)
            parts.append(
                as_line(
                    f"• {who}: {summary.tasks_done.get(member_id, 0)} / "
                    f"{summary.tasks_overdue.get(member_id, 0)}"
                )
            )
    if summary.stale_deals:
        parts.append(as_line())
        parts.append(as_line(Bold(_("Stale deals"))))
        for title, client in summary.stale_deals:
            parts.append(as_line(f"• {title} — {client}"))
    if summary.unreachable:
        names = ", ".join(
            member_name(people[i]) if i in people else str(i) for i in summary.unreachable
        )
        parts.append(as_line())
        parts.append(
            as_line(
                _("The bot can no longer reach: {names}. They may have blocked it.").format(
                    names=names
                )
            )
        )
    if summary.exports:
        parts.append(as_line())
        parts.append(as_line(Bold(_("Exports"))))
        for export in summary.exports[:MAX_NAMES]:
            who = member_name(people[export.actor_id]) if export.actor_id in people else "—"
            parts.append(
                as_line(
                    _("• {who}: {what} ({format}), rows: {rows}").format(
                        who=who,
                        what=export_label(export.what, export.filters),
                        format=export.file_format,
                        rows=export.rows,
                    )
                )
            )
        if len(summary.exports) > MAX_NAMES:
            rest = len(summary.exports) - MAX_NAMES
            parts.append(as_line(_("…and {count} more").format(count=rest)))
    return Text(*parts)


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
            len(morning.stale_deals),
            "/deals",
        ),
    ]
    shown = [len(part.lines) for part in parts]
    while True:
        text = Text(as_line(Bold(heading)), *(p.text(n) for p, n in zip(parts, shown, strict=True)))
        if telegram_length(text) <= MAX_TEXT or not any(shown):
            return text
        longest = max(range(len(shown)), key=shown.__getitem__)
        shown[longest] -= 1


@dataclass(frozen=True)
class _Part:
    """A titled list of the morning list; ``count``: how many there are, shown or not."""

    title: str
    lines: list[str]
    count: int
    where: str  # the command that shows them all

    def text(self, shown: int) -> Text:
        if not self.lines:
            return Text()
        kept: list[Text] = [as_line(Bold(self.title)), *map(as_line, self.lines[:shown])]
        hidden = max(self.count, len(self.lines)) - shown
        if hidden > 0:
            more = _("…and {count} more: {command}").format(count=hidden, command=self.where)
            kept.append(as_line(more))
        return Text(*kept)
