"""How a task and its reminder look, in the reader's language and time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.cards import CardKind
from crm.errors import NotFound
from crm.outbox import OutboxKind
from crm.service import Crm
from crm.task_view import ReminderView
from crm.tasks import PRIORITIES, REMIND_BEFORE
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealAction, DealCb
from handlers.kit.keyboards import button as kit_button
from handlers.kit.keyboards import keyboard, pick
from handlers.kit.labels import format_phone, member_name, responsible_name
from handlers.kit.responsible import checked, member_page
from handlers.kit.timeline import shorten
from handlers.records.callbacks import Ent, EntCb
from handlers.tasks.callbacks import NewTaskCb, Snooze, TaskAction, TaskCb
from storage.models import Task, User

PRIORITY_ICONS = {"low": "▫️", "normal": "🔹", "high": "🔺"}
REPEAT_CHOICES = ("none", "daily", "weekdays", "weekly", "monthly")
Screen = tuple[Text, InlineKeyboardMarkup]


def priority_name(priority: str) -> str:
    return {"low": _("low"), "normal": _("normal"), "high": _("high")}.get(priority, priority)


def reminder_name(minutes: int) -> str:
    names = {
        0: _("at the due time"),
        15: _("15 minutes before"),
        60: _("1 hour before"),
        1440: _("1 day before"),
    }
    return names.get(minutes, str(minutes))


def repeat_name(repeat: str | None) -> str:
    names = {
        "daily": _("every day"),
        "weekdays": _("every weekday"),
        "weekly": _("every week"),
        "monthly": _("every month"),
    }
    return names.get(repeat or "", _("doesn't repeat"))


def weekday_name(moment: date) -> str:
    days = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return days[moment.weekday()]


def when_text(moment: datetime, tz: str) -> str:
    """``Tue 03.03.2026 09:00`` on the reader's wall clock."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{weekday_name(local)} {local:%d.%m.%Y %H:%M}"


def short_when(moment: datetime, tz: str, now: datetime) -> str:
    """``12:15`` today, ``Tue 03.03 10:00`` on another day."""
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{weekday_name(local)} {local:%d.%m %H:%M}"


def due_text(task: Task, tz: str) -> str:
    return task.due_at.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def task_button(client_id: int | None = None, deal_id: int | None = None) -> InlineKeyboardButton:
    """The "➕ Task" button of a client's or a deal's card."""
    data = NewTaskCb(client_id=client_id or 0, deal_id=deal_id or 0)
    return InlineKeyboardButton(text=_("➕ Task"), callback_data=data.pack())


def open_button(view: ReminderView) -> InlineKeyboardButton | None:
    """The way to the task's deal, or else its client."""
    if view.deal is not None:
        data = DealCb(action=DealAction.OPEN, deal_id=view.deal.id).pack()
        return InlineKeyboardButton(text=_("💼 Open deal"), callback_data=data)
    if view.client is not None:
        data = ClientCb(action="open", client_id=view.client.id).pack()
        return InlineKeyboardButton(text=_("👤 Open card"), callback_data=data)
    if view.record is not None:
        kind = CardKind.RECORD.value
        data = EntCb(action=Ent.RECORD, kind=kind, card=view.record.id).pack()
        return InlineKeyboardButton(text=_("📂 Open card"), callback_data=data)
    return None


def task_lines(view: ReminderView) -> list[Text]:
    """What to do and for whom: the title, the client, the deal, a phone to call."""
    task = view.task
    lines = [as_line(Bold(PRIORITY_ICONS.get(task.priority, ""), " ", task.title))]
    if view.client is not None:
        lines.append(as_line("👤 ", view.client.name))
    if view.deal is not None:
        lines.append(as_line("💼 ", view.deal.title))
    if view.record is not None:
        lines.append(as_line(view.record_emoji, " ", view.record.title))
    if view.phone:
        lines.append(as_line("📞 ", format_phone(view.phone)))
    return lines


# --- the reminder ------------------------------------------------------------------------------


def reminder_message(view: ReminderView, kind: OutboxKind, tz: str) -> Screen:
    """The message the assignee gets: what to do, for whom, with Done, Snooze and Open."""
    heading = {
        OutboxKind.TASK_EARLY: _("⏰ Coming up at {time}:"),
        OutboxKind.TASK_NUDGE: _("❗ Still open, due {time}:"),
        OutboxKind.TASK_ASSIGNED: _("📌 A new task for you, due {time}:"),
    }.get(kind, _("⏰ Due now ({time}):"))
    text = Text(as_line(heading.format(time=due_text(view.task, tz))), *task_lines(view))
    # Snoozing the news of a task (rather than the task falling due) would move its reminder.
    return text, reminder_keyboard(view, snooze=kind != OutboxKind.TASK_ASSIGNED)


def reminder_outcome(
    view: ReminderView, status: str, still_open: bool
) -> tuple[Text, InlineKeyboardMarkup | None]:
    """The reminder after Done or Snooze: what happened, in place of the heading."""
    text = Text(as_line(status), *task_lines(view))
    if still_open:
        return text, reminder_keyboard(view)
    link = open_button(view)
    return text, InlineKeyboardMarkup(inline_keyboard=[[link]]) if link else None


def reminder_keyboard(view: ReminderView, snooze: bool = True) -> InlineKeyboardMarkup:
    task_id = view.task.id

    def button(text: str, until: Snooze) -> InlineKeyboardButton:
        return kit_button(text, TaskCb(action=TaskAction.SNOOZE, task_id=task_id, choice=until))

    done = TaskCb(action=TaskAction.DONE, task_id=task_id).pack()
    rows = [[InlineKeyboardButton(text=_("✅ Done"), callback_data=done)]]
    if snooze:
        rows.append(
            [
                button(_("+15 min"), Snooze.QUARTER),
                button(_("+1 hour"), Snooze.HOUR),
                button(_("Tomorrow"), Snooze.TOMORROW),
            ]
        )
    link = open_button(view)
    if link is not None:
        rows.append([link])
    return InlineKeyboardMarkup(inline_keyboard=rows)


# --- the confirmation --------------------------------------------------------------------------


def opened_heading() -> str:
    """The heading of a task opened, asked about or gone back to: nothing saved yet."""
    return _("📌 Task")


async def task_screen(
    crm: Crm,
    member: User,
    task_id: int,
    question: str | None = None,
    picker: Callable[[Task], InlineKeyboardMarkup] | None = None,
    heading: str | None = None,
) -> Screen:
    """The task as its confirmation shows it, with the buttons to change it.

    With a ``question``, the ``picker``'s buttons (the choices of one option) stand in
    for the usual ones.
    """
    await crm.tasks.visible(member, task_id)
    view = await crm.task_views.view(member, task_id)
    if view is None:
        raise NotFound()
    task, tz = view.task, member.timezone
    heading = _("☑️ Done") if task.done_at else heading or _("✅ Task saved")
    assignee = responsible_name(view.assignee) if view.assignee else "—"
    parts = [
        as_line(heading),
        *task_lines(view),
        as_line("🕒 ", when_text(task.due_at, tz)),
        as_line("🙋 ", assignee),
        as_line(_("Priority: {value}").format(value=priority_name(task.priority))),
        as_line(_("Reminder: {value}").format(value=reminder_name(task.remind_before))),
        as_line(_("Repeats: {value}").format(value=repeat_name(task.repeat))),
    ]
    if question:
        parts.append(as_line("\n", question))
    if picker is not None:
        return Text(*parts), picker(task)
    return Text(*parts), task_keyboard(view, member)


def task_keyboard(view: ReminderView, reader: User) -> InlineKeyboardMarkup:
    task_id = view.task.id

    def button(text: str, action: TaskAction) -> InlineKeyboardButton:
        return kit_button(text, TaskCb(action=action, task_id=task_id))

    rows: list[list[InlineKeyboardButton]] = []
    if view.task.done_at is None:  # a done task has nothing left to change
        rows = [
            [button(_("🕒 Change time"), TaskAction.TIME)],
            [button(_("⚡ Priority"), TaskAction.PRIO), button(_("🔔 Reminder"), TaskAction.EARLY)],
            [button(_("🔁 Repeat"), TaskAction.REPEAT)],
        ]
        if access.is_staff(reader):
            rows[2].append(button(_("🙋 Assignee"), TaskAction.WHO))
        if access.is_staff(reader) or reader.id in (view.task.assignee_id, view.task.created_by):
            rows.append([button(_("✏️ Text"), TaskAction.TITLE)])
            rows[-1].append(button(_("📎 Client or deal"), TaskAction.LINK))
            rows.append([button(_("🗑 Cancel the task"), TaskAction.CANCEL)])
    link = open_button(view)
    if link is not None:
        rows.append([link])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def back_button(task_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=_("◀️ Back"), callback_data=TaskCb(action=TaskAction.SHOW, task_id=task_id).pack()
    )


def option_keyboard(task: Task, option: TaskAction) -> InlineKeyboardMarkup:
    """The choices of one option, the current one ticked."""
    choices: list[tuple[str, TaskCb, bool]]
    if option is TaskAction.PRIO:
        choices = [
            (
                f"{PRIORITY_ICONS[p]} {priority_name(p)}",
                TaskCb(action=option, task_id=task.id, choice=p),
                p == task.priority,
            )
            for p in PRIORITIES
        ]
    elif option is TaskAction.EARLY:
        choices = [
            (
                reminder_name(m),
                TaskCb(action=option, task_id=task.id, number=m),
                m == task.remind_before,
            )
            for m in REMIND_BEFORE
        ]
    else:
        choices = [
            (
                repeat_name(None if r == "none" else r),
                TaskCb(action=option, task_id=task.id, choice=r),
                r == (task.repeat or "none"),
            )
            for r in REPEAT_CHOICES
        ]
    rows = pick([(("✅ " if current else "") + text, data) for text, data, current in choices])
    return keyboard(*rows, [back_button(task.id)])


def assignee_keyboard(task: Task, team: list[User], page: int) -> InlineKeyboardMarkup:
    """Active members to give the task to, a page at a time."""

    def to_page(to: int) -> TaskCb:
        return TaskCb(action=TaskAction.WHO, task_id=task.id, number=to)

    shown, pages = member_page(team, page, to_page)
    rows = [
        [
            kit_button(
                checked(shorten(member_name(user), 40), user.id == task.assignee_id),
                TaskCb(action=TaskAction.ASSIGN, task_id=task.id, number=user.id),
            )
        ]
        for user in shown
    ]
    return keyboard(*rows, pages, [back_button(task.id)])
