"""Making a task: from a card's "➕ Task" button or ``/task <when> <what>`` (``<what> <when>``, or
a clock time in the middle: ``/task позвонить Ивану в 15:00 по договору``).

The when is read as people write it (``завтра в 10``, ``in 30 min``, ``25.12 14:30``).
Nothing is stored on a guess: a text that is not a date, a moment already past,
a day whose default hour has gone by, or an empty title each gets a question,
and the answer picks the dialog up where it stopped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode, InvalidInput
from crm.parsing.search_text import one_line
from crm.parsing.when import DAY_PARTS, DayPart, WhenError, parse_when
from crm.parsing.when_in_line import split_when
from crm.service import Crm
from crm.tasks import MAX_TITLE
from handlers.kit.errors import error_text
from handlers.kit.keyboards import button, cancel_button, keyboard
from handlers.kit.routes import Routes
from handlers.opencard.callbacks import OpenCardAction, OpenCardCb
from handlers.tasks import open_card as task_open_card
from handlers.tasks.callbacks import NewTaskCb
from handlers.tasks.open_card import card_name, detach_label
from handlers.tasks.states import NewTask, TaskFlow
from handlers.tasks.views import task_screen, weekday_name
from handlers.tasks.when_texts import examples, kept_text, when_problem
from storage.models import User

routes = Routes(__name__)
routes.include(task_open_card.routes)  # seen right after this one
_HOUR = re.compile(r"[0-9]{1,2}")


@dataclass(frozen=True)
class Reading:
    """A moment (``at``), or a ``day`` whose time is still to be asked; and the words after it."""

    at: datetime | None
    day: date | None
    rest: str


def read_when(
    text: str,
    now: datetime,
    tz: str,
    default_hour: int,
    *,
    split: bool,
    day: date | None = None,
    day_parts: Mapping[DayPart, tuple[int, int]] = DAY_PARTS,
) -> Reading:
    """What a typed when means. Raises ``WhenError``.

    A day with no time gets ``default_hour``, unless that moment is already past
    (``today`` in the afternoon): then the time is asked. With ``day`` known, a bare
    time (``15:30``) is read on that day, and so is an hour alone (``15``): the answer
    to "What time?" is no day nor count.
    """
    if day is not None:
        hour = text.strip()
        clock = f"at {hour}" if _HOUR.fullmatch(hour) else text
        try:
            found = parse_when(
                f"{day:%d.%m.%Y} {clock}", now, tz, default_hour, day_parts=day_parts
            )
            if found.has_time:
                return Reading(found.at, None, "")
        except WhenError as error:
            if error.code != "not_a_date":
                raise
    reader = split_when if split else parse_when
    found = reader(text, now, tz, default_hour, day_parts=day_parts)
    if not found.has_time and found.at < now:
        return Reading(None, found.at.astimezone(ZoneInfo(tz)).date(), found.rest)
    return Reading(found.at, None, found.rest)


def cancel_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]])


async def ask(message: Message, state: FSMContext, step: State, text: str) -> None:
    await state.set_state(step)
    await message.answer(text, reply_markup=cancel_keyboard())


def ask_text() -> str:
    return _("When and what? For example: tomorrow 10:00 call back; in 2 hours send the offer.")


@routes.callback_query(NewTaskCb.filter())
async def from_card(
    callback: CallbackQuery, callback_data: NewTaskCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if callback_data.deal_id:
        name = (await crm.deals.visible(member, callback_data.deal_id)).title
    else:
        name = (await crm.clients.visible(member, callback_data.client_id)).name
    await state.set_state(TaskFlow.text)
    await NewTask(client_id=callback_data.client_id, deal_id=callback_data.deal_id).save(state)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("A task for {name}.").format(name=name) + " " + ask_text(),
            reply_markup=cancel_keyboard(),
        )


@routes.message(Command("task"))
async def task_command(
    message: Message, command: CommandObject, crm: Crm, member: User, state: FSMContext
) -> None:
    """``/task <when> <what>`` or ``/task <what> <when>``: for the open card if there is one
    (a deal's: the deal), which the answer names, with a button to make it a task on no card."""
    client_id = crm.timeline.open_client_id(member, crm.config.card_context) or 0
    deal_id = crm.timeline.open_deal_id(member, crm.config.card_context) or 0
    await NewTask(client_id=client_id, deal_id=deal_id, on_open_card=bool(client_id)).save(state)
    if not (command.args or "").strip():
        if not client_id:
            await ask(message, state, TaskFlow.text, ask_text())
            return
        name = await card_name(crm, member, client_id, deal_id)
        await state.set_state(TaskFlow.text)
        detach = button(detach_label(name), OpenCardCb(action=OpenCardAction.DETACH_TASK))
        await message.answer(
            _("A task for {name}.").format(name=name) + " " + ask_text(),
            reply_markup=keyboard([detach], [cancel_button()]),
        )
        return
    await state.set_state(TaskFlow.text)
    await take_text(message, crm, member, state, command.args or "")


@routes.message(TaskFlow.text, F.text)
async def typed_text(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await take_text(message, crm, member, state, message.text or "")


async def take_text(message: Message, crm: Crm, member: User, state: FSMContext, text: str) -> None:
    try:
        reading = read_when(
            text,
            crm.clock.now(),
            member.timezone,
            crm.config.default_hour,
            split=True,
            day_parts=await crm.settings.day_parts(),
        )
    except WhenError as error:
        # The what is kept: only the when is asked again.
        title = one_line(kept_text(text, crm.clock.now(), member.timezone, crm.config.default_hour))
        if len(title) > MAX_TITLE:  # not kept: said now, not after the when
            raise InvalidInput(ErrorCode.TOO_LONG, field="task", limit=MAX_TITLE) from None
        data = await NewTask.load(state)
        data.due, data.day, data.title = None, None, title or None
        await data.save(state)
        await ask(message, state, TaskFlow.when, when_problem(error, title))
        return
    await proceed(message, crm, member, state, reading, title=reading.rest)


@routes.message(TaskFlow.when, F.text)
async def typed_when(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await take_when(message, crm, member, state, day=None)


@routes.message(TaskFlow.time, F.text)
async def typed_time(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await take_when(message, crm, member, state, day=(await NewTask.load(state)).day)


async def take_when(
    message: Message, crm: Crm, member: User, state: FSMContext, day: date | None
) -> None:
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
    await proceed(message, crm, member, state, reading)


@routes.message(TaskFlow.title, F.text)
async def typed_title(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await proceed(message, crm, member, state, None, title=message.text or "")


@routes.message(TaskFlow.text)
@routes.message(TaskFlow.when)
@routes.message(TaskFlow.time)
@routes.message(TaskFlow.title)
async def not_text(message: Message) -> None:
    await message.answer(_("Send it as text, or /cancel."), reply_markup=cancel_keyboard())


async def proceed(
    message: Message,
    crm: Crm,
    member: User,
    state: FSMContext,
    reading: Reading | None,
    title: str | None = None,
) -> None:
    """Remember what this answer settled, then ask what is still missing, or save."""
    data = await NewTask.load(state)
    if reading is not None:
        data.due, data.day = reading.at, reading.day
    if title is not None:
        data.title = one_line(title)  # marks alone are no title: it is asked for
    await data.save(state)
    if data.day is not None:
        day = data.day
        text = _("What time on {day}? For example 15:30 or 6pm.").format(
            day=f"{weekday_name(day)} {day:%d.%m}"
        )
        await ask(message, state, TaskFlow.time, text)
        return
    if data.due is None:
        await ask(message, state, TaskFlow.when, _("When should it be?") + " " + examples())
        return
    if not data.title:
        await ask(message, state, TaskFlow.title, _("What should be done?"))
        return
    await save(message, crm, member, state, data)


async def save(message: Message, crm: Crm, member: User, state: FSMContext, data: NewTask) -> None:
    assert data.title is not None and data.due is not None
    try:
        task = await crm.tasks.create(
            member,
            data.title,
            data.due,
            client_id=data.client_id or None,
            deal_id=data.deal_id or None,
        )
        text, keyboard = await task_screen(crm, member, task.id)
    except CrmError as error:  # not only told: what was refused is asked again, else it ends
        if error.code == "in_the_past":
            data.due = None
            await data.save(state)
            await ask(message, state, TaskFlow.when, when_problem(WhenError("in_the_past")))
        elif error.code in ("empty", "too_long"):
            data.title = None
            await data.save(state)
            await ask(message, state, TaskFlow.title, error_text(error))
        else:
            await state.clear()
            await message.answer(error_text(error))
        return
    await state.clear()
    if data.on_open_card and data.client_id:
        name = await card_name(crm, member, data.client_id, data.deal_id)
        text = Text(text, "\n", _("📎 On the open card: {name}").format(name=name))
        detach = OpenCardCb(action=OpenCardAction.DETACH_TASK, ref=task.id)
        keyboard.inline_keyboard.append([button(detach_label(name), detach)])
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)
