"""Buttons on a task: its confirmation's options, and Done and Snooze on its reminder.

Every press is checked again by the CRM (the data may be forged or stale), and
each one edits the message it was pressed on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import Conflict, CrmError, InvalidInput
from crm.parsing.when import WhenError
from crm.service import Crm
from handlers.kit.errors import error_text
from handlers.kit.routes import Routes
from handlers.tasks.callbacks import TaskCb
from handlers.tasks.new import cancel_keyboard, examples, read_when, when_problem
from handlers.tasks.views import (
    assignee_keyboard,
    back_button,
    option_keyboard,
    reminder_outcome,
    short_when,
    task_screen,
    weekday_name,
    when_text,
)
from storage.models import Task, User

routes = Routes(__name__)
TEAM_PAGE = 8
OPTIONS = ("prio", "early", "repeat")


class TaskEditFlow(StatesGroup):
    when = State()


async def put(callback: CallbackQuery, text: Text, keyboard: InlineKeyboardMarkup | None) -> None:
    """Show a screen in the pressed message (or a new one, if it is out of reach)."""
    if isinstance(callback.message, Message):
        try:
            await callback.message.edit_text(**text.as_kwargs(), reply_markup=keyboard)
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                raise
    elif callback.bot is not None:
        await callback.bot.send_message(
            callback.from_user.id, **text.as_kwargs(), reply_markup=keyboard
        )


async def open_task(crm: Crm, member: User, task_id: int) -> Task:
    task = await crm.tasks.visible(member, task_id)
    if task.done_at is not None:
        raise Conflict("already_done")
    return task


@routes.callback_query(TaskCb.filter(F.action == "show"))
async def show(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if await state.get_state() == TaskEditFlow.when.state:
        await state.clear()  # "◀️ Back" from the time question leaves it
    try:
        screen = await task_screen(crm, member, callback_data.task_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await put(callback, *screen)
    await callback.answer()


# --- the time ----------------------------------------------------------------------------------


@routes.callback_query(TaskCb.filter(F.action == "time"))
async def ask_time(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    question = _("Send the new date and time.") + " " + examples()
    try:
        await open_task(crm, member, callback_data.task_id)
        screen = await task_screen(
            crm,
            member,
            callback_data.task_id,
            question,
            lambda task: InlineKeyboardMarkup(inline_keyboard=[[back_button(task.id)]]),
        )
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.set_state(TaskEditFlow.when)
    await state.set_data({"task_id": callback_data.task_id})
    await put(callback, *screen)
    await callback.answer()


@routes.message(TaskEditFlow.when, F.text)
async def typed_time(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await state.get_data()
    task_id, day = int(data.get("task_id", 0)), data.get("day")
    try:
        reading = read_when(
            message.text or "",
            crm.clock.now(),
            member.timezone,
            crm.config.default_hour,
            split=False,
            day=date.fromisoformat(day) if day else None,
        )
    except WhenError as error:
        await message.answer(when_problem(error), reply_markup=cancel_keyboard())
        return
    if reading.at is None:
        assert reading.day is not None
        await state.update_data(day=reading.day.isoformat())
        text = _("What time on {day}? For example 15:30 or 6pm.").format(
            day=f"{weekday_name(reading.day)} {reading.day:%d.%m}"
        )
        await message.answer(text, reply_markup=cancel_keyboard())
        return
    try:
        await crm.tasks.reschedule(member, task_id, reading.at)
        text_, keyboard = await task_screen(crm, member, task_id)
    except CrmError as error:
        if error.code == "in_the_past":
            await message.answer(when_problem(WhenError("in_the_past")))
            return
        await state.clear()
        await message.answer(error_text(error))
        return
    await state.clear()
    await message.answer(**text_.as_kwargs(), reply_markup=keyboard)


@routes.message(TaskEditFlow.when)
async def time_not_text(message: Message) -> None:
    await message.answer(_("Send the new time as text, or /cancel."))


# --- priority, the earlier reminder, repeat, the assignee ---------------------------------------


@routes.callback_query(TaskCb.filter(F.action.in_(OPTIONS)))
async def option(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    action, value, task_id = callback_data.action, callback_data.value, callback_data.task_id
    questions = {
        "prio": _("Choose the priority:"),
        "early": _("When to remind, besides the due time:"),
        "repeat": _("How often it repeats:"),
    }
    try:
        await open_task(crm, member, task_id)
        if not value:
            screen = await task_screen(
                crm, member, task_id, questions[action], lambda t: option_keyboard(t, action)
            )
            await put(callback, *screen)
            await callback.answer()
            return
        if action == "prio":
            await crm.tasks.set_options(member, task_id, priority=value)
        elif action == "early":
            if not value.isdigit():
                raise InvalidInput("bad_reminder")
            await crm.tasks.set_options(member, task_id, remind_before=int(value))
        else:
            await crm.tasks.set_options(member, task_id, repeat=None if value == "none" else value)
        screen = await task_screen(crm, member, task_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await put(callback, *screen)
    await callback.answer(_("Saved."))


@routes.callback_query(TaskCb.filter(F.action == "who"))
async def choose_assignee(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User
) -> None:
    page = int(callback_data.value) if callback_data.value.isdigit() else 0
    try:
        team = [user for user in await crm.members.team(member) if user.active]
        await open_task(crm, member, callback_data.task_id)
        screen = await task_screen(
            crm,
            member,
            callback_data.task_id,
            _("Who should do it?"),
            lambda task: assignee_keyboard(task, team, page, TEAM_PAGE),
        )
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await put(callback, *screen)
    await callback.answer()


@routes.callback_query(TaskCb.filter(F.action == "assign"))
async def assign(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    try:
        if not callback_data.value.isdigit():
            raise InvalidInput("no_such_member")
        await crm.tasks.assign(member, callback_data.task_id, int(callback_data.value))
        screen = await task_screen(crm, member, callback_data.task_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await put(callback, *screen)
    await callback.answer(_("Saved."))


# --- the reminder's Done and Snooze -------------------------------------------------------------


def snooze_until(value: str, now: datetime, tz: str, default_hour: int) -> datetime | None:
    """+15 minutes, +1 hour, or tomorrow at the default hour on the reader's wall clock."""
    if value == "15m":
        return now + timedelta(minutes=15)
    if value == "1h":
        return now + timedelta(hours=1)
    if value == "tomorrow":
        zone = ZoneInfo(tz)
        day = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(day, time(default_hour), tzinfo=zone).astimezone(UTC)
    return None


@routes.callback_query(TaskCb.filter(F.action == "done"))
async def done(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    try:
        task, following = await crm.tasks.done(member, callback_data.task_id)
        view = await crm.reminders.view(task.id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    status = _("✅ Done")
    if following is not None:
        status = _("✅ Done. Next one: {when}").format(
            when=when_text(following.due_at, member.timezone)
        )
    if view is not None:
        await put(callback, *reminder_outcome(view, status, still_open=False))
    await callback.answer()


@routes.callback_query(TaskCb.filter(F.action == "snooze"))
async def snooze(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    now = crm.clock.now()
    until = snooze_until(callback_data.value, now, member.timezone, crm.config.default_hour)
    if until is None:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    try:
        task = await crm.tasks.snooze(member, callback_data.task_id, until)
        view = await crm.reminders.view(task.id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    status = _("⏰ Snoozed until {time}").format(time=short_when(until, member.timezone, now))
    if view is not None:
        await put(callback, *reminder_outcome(view, status, still_open=True))
    await callback.answer()
