"""Buttons on a task: its confirmation's options, and Done and Snooze on its reminder.

Every press is checked again by the CRM (the data may be forged or stale), and
each one edits the message it was pressed on.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.errors import Conflict, CrmError, ErrorCode, InvalidInput
from crm.parsing.when import WhenError
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.errors import error_text
from handlers.kit.keyboards import keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.tasks.callbacks import Snooze, TaskAction, TaskCb
from handlers.tasks.new import cancel_keyboard, read_when
from handlers.tasks.states import OneTask, TaskEditFlow
from handlers.tasks.views import (
    Screen,
    assignee_keyboard,
    back_button,
    opened_heading,
    option_keyboard,
    reminder_outcome,
    short_when,
    task_screen,
    weekday_name,
    when_text,
)
from handlers.tasks.when_texts import examples, when_problem
from storage.models import Task, User

routes = Routes(__name__)
OPTIONS = (TaskAction.PRIO, TaskAction.EARLY, TaskAction.REPEAT)
UNSEEN = (ErrorCode.CLIENT_NOT_VISIBLE, ErrorCode.RECORD_NOT_VISIBLE)


async def open_task(crm: Crm, member: User, task_id: int) -> Task:
    task = await crm.tasks.visible(member, task_id)
    if task.done_at is not None:
        raise Conflict(ErrorCode.ALREADY_DONE)
    return task


@routes.callback_query(TaskCb.filter(F.action == TaskAction.SHOW))
async def show_task(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if await state.get_state() in TaskEditFlow.__all_states_names__:
        await state.clear()  # "◀️ Back" from a question leaves it
    # (nothing was saved: the task as opened, not "✅ Task saved")
    await show(
        callback, *await task_screen(crm, member, callback_data.task_id, heading=opened_heading())
    )


# --- the time ----------------------------------------------------------------------------------


@routes.callback_query(TaskCb.filter(F.action == TaskAction.TIME))
async def ask_time(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    question = _("Send the new date and time.") + " " + examples()
    await open_task(crm, member, callback_data.task_id)
    screen = await task_screen(
        crm,
        member,
        callback_data.task_id,
        question,
        lambda task: keyboard([back_button(task.id)]),
        opened_heading(),
    )
    await state.set_state(TaskEditFlow.when)
    await OneTask(task_id=callback_data.task_id).save(state)
    await show(callback, *screen)


@routes.message(TaskEditFlow.when, F.text)
async def typed_time(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await OneTask.load(state)
    task_id, day = data.task_id, data.day
    try:
        reading = read_when(
            message.text or "",
            crm.clock.now(),
            member.timezone,
            crm.config.default_hour,
            split=False,
            day=day,
            day_parts=await crm.settings.day_parts(),
        )
    except WhenError as error:
        await message.answer(when_problem(error), reply_markup=cancel_keyboard())
        return
    if reading.at is None:
        assert reading.day is not None
        data.day = reading.day
        await data.save(state)
        text = _("What time on {day}? For example 15:30 or 6pm.").format(
            day=f"{weekday_name(reading.day)} {reading.day:%d.%m}"
        )
        await message.answer(text, reply_markup=cancel_keyboard())
        return
    try:
        await crm.tasks.reschedule(member, task_id, reading.at)
        text_, keyboard = await task_screen(crm, member, task_id)
    except CrmError as error:  # a moment past is asked again; else told by Refusals, it ends
        if error.code == "in_the_past":
            await message.answer(when_problem(WhenError("in_the_past")))
            return
        await state.clear()
        raise
    await state.clear()
    await message.answer(**text_.as_kwargs(), reply_markup=keyboard)


@routes.message(TaskEditFlow.when)
async def time_not_text(message: Message) -> None:
    await message.answer(_("Send the new time as text, or /cancel."))


# --- priority, the earlier reminder, repeat, the assignee ---------------------------------------


@routes.callback_query(TaskCb.filter(F.action.in_(OPTIONS)))
async def option(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    action, choice, task_id = callback_data.action, callback_data.choice, callback_data.task_id
    questions = {
        TaskAction.PRIO: _("Choose the priority:"),
        TaskAction.EARLY: _("When to remind, besides the due time:"),
        TaskAction.REPEAT: _("How often it repeats:"),
    }
    await open_task(crm, member, task_id)
    if not choice and callback_data.number is None:
        screen = await task_screen(
            crm,
            member,
            task_id,
            questions[action],
            lambda t: option_keyboard(t, action),
            opened_heading(),
        )
        await show(callback, *screen)
        return
    if action is TaskAction.PRIO:
        await crm.tasks.set_options(member, task_id, priority=choice)
    elif action is TaskAction.EARLY:
        if callback_data.number is None:
            raise InvalidInput(ErrorCode.BAD_REMINDER)
        await crm.tasks.set_options(member, task_id, remind_before=callback_data.number)
    else:
        await crm.tasks.set_options(member, task_id, repeat=None if choice == "none" else choice)
    await show(callback, *await task_screen(crm, member, task_id))
    await callback.answer(_("Saved."))


@routes.callback_query(TaskCb.filter(F.action == TaskAction.WHO))
async def choose_assignee(
    callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User
) -> None:
    await open_task(crm, member, callback_data.task_id)
    await show(callback, *await assignee_screen(crm, member, callback_data, _("Who should do it?")))


async def assignee_screen(crm: Crm, member: User, callback_data: TaskCb, question: str) -> Screen:
    page = (callback_data.number or 0) if callback_data.action == TaskAction.WHO else 0
    team = [user for user in await crm.members.team(member) if user.active]
    return await task_screen(
        crm,
        member,
        callback_data.task_id,
        question,
        lambda task: assignee_keyboard(task, team, page),
        opened_heading(),
    )


@routes.callback_query(TaskCb.filter(F.action == TaskAction.ASSIGN))
async def assign(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    if callback_data.number is None:
        raise InvalidInput(ErrorCode.NO_SUCH_MEMBER)
    try:
        await crm.tasks.assign(member, callback_data.task_id, callback_data.number)
    except Conflict as error:  # one who cannot see the task's card: said, and asked again
        if error.code not in UNSEEN:
            raise
        question = error_text(error) + "\n" + _("Who should do it?")
        await show(callback, *await assignee_screen(crm, member, callback_data, question))
        await callback.answer()
        return
    await show(callback, *await task_screen(crm, member, callback_data.task_id))
    await callback.answer(_("Saved."))


# --- the reminder's Done and Snooze -------------------------------------------------------------


# Before this hour "tomorrow" is the coming morning, as alarm clocks read it: pressed at
# 00:30 on a sleepless night it means this calendar day's, not the next one's.
NIGHT_ENDS = 5


def snooze_until(value: str, now: datetime, tz: str, default_hour: int) -> datetime | None:
    """+15 minutes, +1 hour, or tomorrow at the default hour on the reader's wall clock
    (the coming one if it is night yet: before ``NIGHT_ENDS``, and that hour still ahead)."""
    if value == Snooze.QUARTER:
        return now + timedelta(minutes=15)
    if value == Snooze.HOUR:
        return now + timedelta(hours=1)
    if value == Snooze.TOMORROW:
        zone = ZoneInfo(tz)
        local = now.astimezone(zone)
        for day in (local.date(), local.date() + timedelta(days=1)):
            at = datetime.combine(day, time(default_hour), tzinfo=zone).astimezone(UTC)
            if (day > local.date() or local.hour < NIGHT_ENDS) and at > now:
                return at
    return None


@routes.callback_query(TaskCb.filter(F.action == TaskAction.DONE))
async def done(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    task, following = await crm.tasks.done(member, callback_data.task_id)
    view = await crm.task_views.view(member, task.id)
    status = _("✅ Done")
    if following is not None:
        status = _("✅ Done. Next one: {when}").format(
            when=when_text(following.due_at, member.timezone)
        )
    if view is not None:
        await show(callback, *reminder_outcome(view, status, still_open=False))


@routes.callback_query(TaskCb.filter(F.action == TaskAction.SNOOZE))
async def snooze(callback: CallbackQuery, callback_data: TaskCb, crm: Crm, member: User) -> None:
    now = crm.clock.now()
    until = snooze_until(callback_data.choice, now, member.timezone, crm.config.default_hour)
    if until is None:
        await alert(callback, _("This button is no longer active."))
        return
    task = await crm.tasks.snooze(member, callback_data.task_id, until)
    view = await crm.task_views.view(member, task.id)
    when = short_when(until, member.timezone, now)
    if callback_data.choice == Snooze.TOMORROW:  # which morning it is, whatever the hour now
        local = until.astimezone(ZoneInfo(member.timezone))
        when = f"{weekday_name(local)} {local:%d.%m %H:%M}"
    status = _("⏰ Snoozed until {time}").format(time=when)
    if view is not None:
        await show(callback, *reminder_outcome(view, status, still_open=True))
