"""/settings → Parts of the day: the hours "утром", "днём" and "вечером" mean (owner)."""

from __future__ import annotations

from datetime import time

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import NotAllowed
from crm.parsing.clock_time import parse_clock_time
from crm.service import Crm
from crm.team_settings import DAY_PART_NAMES
from handlers.kit.dialogs import leave_step
from handlers.kit.errors import quoting
from handlers.kit.keyboards import button, cancel_row, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, show
from handlers.settings.callbacks import DayPartAction, DayPartCb, SettingsCb
from handlers.settings.screen import is_owner
from handlers.settings.states import DayPartData, DayPartFlow
from storage.models import User

routes = Routes(__name__)


def part_name(part: str) -> str:
    names = {
        "morning": _("🌅 Morning (“утром”)"),
        "afternoon": _("🏙 Afternoon (“днём”)"),
        "evening": _("🌆 Evening (“вечером”)"),
    }
    return names.get(part, part)


def clock(at: tuple[int, int]) -> str:
    return f"{at[0]:02d}:{at[1]:02d}"


async def parts_screen(crm: Crm) -> Screen:
    parts = await crm.settings.day_parts()
    text = Text(
        _(
            "A task “tomorrow morning” or “this evening” is due at these times. "
            "Pick one to change it."
        )
    )
    rows = [
        [
            button(
                f"{part_name(part)}: {clock(parts[part])}",
                DayPartCb(action=DayPartAction.ASK, part=part),
            )
        ]
        for part in DAY_PART_NAMES
    ]
    back = InlineKeyboardButton(
        text=_("◀️ Settings"), callback_data=SettingsCb(action="main").pack()
    )
    return Screen(text, keyboard(*rows, [back]))


@routes.callback_query(DayPartCb.filter(F.action == DayPartAction.LIST))
async def show_parts(callback: CallbackQuery, crm: Crm, member: User, state: FSMContext) -> None:
    if not is_owner(member):
        raise NotAllowed()
    await leave_step(state, DayPartFlow.time)
    await show(callback, await parts_screen(crm))


@routes.callback_query(DayPartCb.filter(F.action == DayPartAction.ASK))
async def ask_time(
    callback: CallbackQuery, callback_data: DayPartCb, member: User, state: FSMContext
) -> None:
    if not is_owner(member) or callback_data.part not in DAY_PART_NAMES:
        raise NotAllowed()
    await state.set_state(DayPartFlow.time)
    await DayPartData(part=callback_data.part).save(state)
    text = Text(
        _("{part}: what time? Send it like 8:30.").format(part=part_name(callback_data.part))
    )
    await show(callback, text, keyboard(cancel_row()))


@routes.message(DayPartFlow.time, F.text)
async def typed_time(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    text = message.text or ""
    at: time | None = parse_clock_time(text, hour_alone=True)
    if at is None:
        why = _("“{value}” is not a time. Send it like 9:00 or 18:30.").format(value=text[:20])
        await message.answer(quoting(why, text))
        return
    part = (await DayPartData.load(state)).part
    await crm.settings.set_day_part(member, part, at.hour, at.minute)  # refusals: Refusals
    await state.clear()
    await show(message, await parts_screen(crm))


@routes.message(DayPartFlow.time)
async def time_not_text(message: Message) -> None:
    await message.answer(_("Send the time as text, like 9:00, or /cancel."))
