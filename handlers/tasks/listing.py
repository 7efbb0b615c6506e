"""/tasks: overdue, today, the next 7 days, later, and recently done, with one-tap Done.

Owners and admins switch to any member's list or everyone's. The list is one
message, edited in place as it is paged, switched and ticked off.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.errors import NotAllowed
from crm.service import Crm
from crm.task_view import ReminderView
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealAction, DealCb
from handlers.imports.callbacks import ExportWhat, export_button
from handlers.kit.alerts import alert
from handlers.kit.keyboards import MENU_TASKS, button, keyboard
from handlers.kit.labels import member_name, responsible_name
from handlers.kit.responsible import member_page
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.kit.timeline import shorten
from handlers.tasks.callbacks import TaskAction, TaskCb, TasksAction, TasksCb
from handlers.tasks.views import PRIORITY_ICONS, Screen, short_when, when_text
from storage.models import Task, User

routes = Routes(__name__)
PAGE_SIZE = 8
EVERYONE = 0


@routes.message(Command("tasks"))
@routes.message(F.text == MENU_TASKS)
async def tasks_command(message: Message, crm: Crm, member: User) -> None:
    text, keyboard = await list_screen(crm, member, member.id, page=0)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.callback_query(TasksCb.filter())
async def list_button(
    callback: CallbackQuery, callback_data: TasksCb, crm: Crm, member: User
) -> None:
    action, who, page = callback_data.action, callback_data.who, callback_data.page
    note = None
    if who != member.id and not access.is_staff(member):
        raise NotAllowed()  # before Done: a forged list must not tick anything off
    if action is TasksAction.PICK:
        screen = await picker_screen(crm, member, who, page)
    elif action is TasksAction.DONE:
        _task, following = await crm.tasks.done(member, callback_data.task_id)
        note = _("Done.")
        if following is not None:
            note = _("✅ Done. Next one: {when}").format(
                when=when_text(following.due_at, member.timezone)
            )
        screen = await list_screen(crm, member, who, page)
    else:
        screen = await list_screen(crm, member, who, page)
    await show(callback, *screen)
    if note is not None:
        await alert(callback, note, toast=True)


def section_title(section: str, count: int) -> str:
    titles = {
        "overdue": _("❗ Overdue: {n}"),
        "today": _("📅 Today: {n}"),
        "week": _("🗓 Next 7 days: {n}"),
        "later": _("🔭 Later: {n}"),
        "done": _("☑️ Done recently: {n}"),
    }
    return titles[section].format(n=count)


async def list_screen(crm: Crm, member: User, who: int, page: int) -> Screen:
    """``who``: a member's id, or ``EVERYONE``; the CRM refuses others' lists to managers."""
    zone = ZoneInfo(member.timezone)
    now = crm.clock.now()
    # On the reader's clock: a day after it is their next midnight, 23 or 25 hours on when
    # the clocks move (aware arithmetic in a ZoneInfo zone keeps the wall time).
    day_start = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    listed = await crm.task_lists.page(member, who or None, day_start, page, PAGE_SIZE)
    if who == member.id:
        heading = _("✅ Your tasks")
    elif who == EVERYONE:
        heading = _("✅ Everyone's tasks")
    else:
        heading = _("✅ Tasks of {name}").format(
            name=member_name(await crm.members.get(member, who))
        )
    page, pages = listed.page, listed.pages
    parts: list[Text] = [as_line(Bold(heading))]
    rows: list[list[InlineKeyboardButton]] = []
    if not listed.items:
        parts.append(as_line(_("Nothing here. Add a task: /task tomorrow 10:00 call Ivan")))
    shown_section = ""
    for number, (section, task) in enumerate(listed.items, start=page * PAGE_SIZE + 1):
        if section != shown_section:  # the whole section's count, on every page it is on
            shown_section = section
            parts.append(as_line("\n", Bold(section_title(section, listed.counts[section]))))
        view = await crm.task_views.view(member, task.id)
        parts.append(task_line(number, task, view, member.timezone, now, who == EVERYONE))
        rows.append(task_buttons(number, task, view, who, page))
    rows.append(nav_row(member, who, page, pages))
    rows.append([export_button(ExportWhat.TASKS, who=who)])
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def task_line(
    number: int, task: Task, view: ReminderView | None, tz: str, now: datetime, whose: bool
) -> Text:
    moment = task.done_at or task.due_at
    line = f"{number}. {PRIORITY_ICONS.get(task.priority, '')} {short_when(moment, tz, now)} "
    line += shorten(task.title, 80)
    if view is not None and view.deal is not None:
        line += " — 💼 " + shorten(view.deal.title, 40)
    elif view is not None and view.client is not None:
        line += " — 👤 " + shorten(view.client.name, 40)
    if whose and view is not None and view.assignee is not None:
        line += " · " + responsible_name(view.assignee)
    return as_line(line)


def task_buttons(
    number: int, task: Task, view: ReminderView | None, who: int, page: int
) -> list[InlineKeyboardButton]:
    """One-tap Done and the task's screen (for an open task), and the way to its deal or client."""
    row = []
    if task.done_at is None:
        data = TasksCb(action=TasksAction.DONE, who=who, page=page, task_id=task.id).pack()
        text = f"✅ {number}. {shorten(task.title, 28)}"
        row.append(InlineKeyboardButton(text=text, callback_data=data))
        opened = TaskCb(action=TaskAction.OPEN, task_id=task.id).pack()  # to change or cancel it
        row.append(InlineKeyboardButton(text=f"✏️ {number}", callback_data=opened))
    if view is not None and view.deal is not None:
        data = DealCb(action=DealAction.OPEN, deal_id=view.deal.id).pack()
        row.append(
            InlineKeyboardButton(text=f"💼 {shorten(view.deal.title, 20)}", callback_data=data)
        )
    elif view is not None and view.client is not None:
        data = ClientCb(action="open", client_id=view.client.id).pack()
        row.append(
            InlineKeyboardButton(text=f"👤 {shorten(view.client.name, 20)}", callback_data=data)
        )
    return row


def nav_row(member: User, who: int, page: int, pages: int) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        data = TasksCb(action=TasksAction.SHOW, who=who, page=page - 1).pack()
        row.append(InlineKeyboardButton(text="◀️", callback_data=data))
    if page < pages - 1:
        data = TasksCb(action=TasksAction.SHOW, who=who, page=page + 1).pack()
        row.append(InlineKeyboardButton(text="▶️", callback_data=data))
    if access.is_staff(member):
        data = TasksCb(action=TasksAction.PICK, who=who).pack()
        row.append(InlineKeyboardButton(text=_("👥 Whose tasks"), callback_data=data))
    return row


async def picker_screen(crm: Crm, member: User, who: int, page: int) -> Screen:
    """Mine, everyone's, or one member's (active members, a page at a time)."""
    team = [user for user in await crm.members.team(member) if user.active]

    def to(action: TasksAction, target: int, to_page: int = 0) -> TasksCb:
        return TasksCb(action=action, who=target, page=to_page)

    shown, pages = member_page(
        [user for user in team if user.id != member.id],
        page,
        lambda to_page: to(TasksAction.PICK, who, to_page),
    )
    rows = [
        [
            button(_("🙋 Mine"), to(TasksAction.SHOW, member.id)),
            button(_("👥 Everyone"), to(TasksAction.SHOW, EVERYONE)),
        ],
        *([button(shorten(member_name(u), 40), to(TasksAction.SHOW, u.id))] for u in shown),
        pages,
        [button(_("◀️ Back"), to(TasksAction.SHOW, who))],
    ]
    return Text(_("Whose tasks to show?")), keyboard(*rows)
