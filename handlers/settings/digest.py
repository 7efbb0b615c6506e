"""/settings, the mornings: when the owner's summary comes, and one's own morning list."""

from __future__ import annotations

from datetime import time

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm import access
from crm.errors import NotAllowed
from crm.parsing.clock_time import parse_clock_time
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.dialogs import leave_step
from handlers.kit.errors import quoting
from handlers.kit.keyboards import button, cancel_row, keyboard
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.settings.callbacks import DigestAction, DigestCb
from handlers.settings.screen import is_owner, settings_screen
from handlers.settings.states import DigestFlow
from storage.models import User

routes = Routes(__name__)
TIMES = (time(7), time(8), time(9), time(10))


@routes.callback_query(DigestCb.filter(F.action == DigestAction.MORNING))
async def toggle_morning(
    callback: CallbackQuery, callback_data: DigestCb, crm: Crm, member: User
) -> None:
    if access.is_staff(member):  # a button left from their manager days
        await show(callback, *await settings_screen(member, crm))
        why = _(
            "The morning list is for managers: owners and admins get the daily summary instead."
        )
        await alert(callback, why)
        return
    await crm.digests.set_morning_list(member, callback_data.on)
    await show(callback, *await settings_screen(member, crm))
    await callback.answer(_("Morning list on.") if member.morning_list else _("Morning list off."))


@routes.callback_query(DigestCb.filter(F.action == DigestAction.TIME))
async def ask_time(callback: CallbackQuery, member: User, state: FSMContext) -> None:
    if not is_owner(member):
        raise NotAllowed()
    await state.set_state(DigestFlow.time)
    times = [
        button(at.strftime("%H:%M"), DigestCb(action=DigestAction.SET, hour=at.hour, minute=0))
        for at in TIMES
    ]
    text = Text(
        _(
            "When should the daily summary come? Pick a time or send one, like 8:30. "
            "Each reader gets it at that time in their own time zone."
        )
    )
    await show(callback, text, keyboard(times, cancel_row()))


async def save_time(event: CallbackQuery | Message, at: time, member: User, crm: Crm) -> None:
    await crm.digests.set_digest_time(member, at)
    await show(event, *await settings_screen(member, crm))


@routes.callback_query(DigestCb.filter(F.action == DigestAction.SET))
async def picked_time(
    callback: CallbackQuery, callback_data: DigestCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if not is_owner(member):
        raise NotAllowed()
    await leave_step(state, DigestFlow.time)
    await save_time(callback, time(callback_data.hour, callback_data.minute), member, crm)


@routes.message(DigestFlow.time, F.text)
async def typed_time(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    text = message.text or ""
    at = parse_clock_time(text, hour_alone=True)
    if at is None:
        why = _("“{value}” is not a time. Send it like 9:00 or 18:30.").format(value=text[:20])
        await message.answer(quoting(why, text))
        return
    await state.clear()
    await save_time(message, at, member, crm)


@routes.message(DigestFlow.time)
async def time_not_text(message: Message) -> None:
    await message.answer(_("Send the time as text, like 9:00, or /cancel."))
