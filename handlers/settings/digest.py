"""/settings, the mornings: when the owner's summary comes, and one's own morning list."""

from __future__ import annotations

import re
from datetime import time

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.service import Crm
from handlers.kit.errors import error_text
from handlers.kit.keyboards import cancel_button
from handlers.kit.routes import Routes
from handlers.settings.callbacks import DigestCb
from handlers.settings.screen import is_owner, settings_screen
from storage.models import User

routes = Routes(__name__)
TIMES = ("07:00", "08:00", "09:00", "10:00")
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


class DigestFlow(StatesGroup):
    time = State()


async def back_to_settings(target: Message, member: User, crm: Crm, edit: bool) -> None:
    text, keyboard = await settings_screen(member, crm)
    if edit:
        await target.edit_text(**text.as_kwargs(), reply_markup=keyboard)
    else:
        await target.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.callback_query(DigestCb.filter(F.action == "morning"))
async def toggle_morning(
    callback: CallbackQuery, callback_data: DigestCb, crm: Crm, member: User
) -> None:
    await crm.digests.set_morning_list(member, callback_data.value == "on")
    if isinstance(callback.message, Message):
        await back_to_settings(callback.message, member, crm, edit=True)
    await callback.answer(_("Morning list on.") if member.morning_list else _("Morning list off."))


@routes.callback_query(DigestCb.filter(F.action == "time"))
async def ask_time(callback: CallbackQuery, member: User, state: FSMContext) -> None:
    if not is_owner(member):
        await callback.answer(_("You don't have access to this."), show_alert=True)
        return
    await state.set_state(DigestFlow.time)
    rows = [
        [
            InlineKeyboardButton(
                text=t, callback_data=DigestCb(action="set", value=t.replace(":", ".")).pack()
            )
            for t in TIMES
        ],
        [cancel_button()],
    ]
    if isinstance(callback.message, Message):
        await callback.message.edit_text(
            _(
                "When should the daily summary come? Pick a time or send one, like 8:30. "
                "Each reader gets it at that time in their own time zone."
            ),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
        )
    await callback.answer()


async def save_time(
    target: Message, text: str, member: User, crm: Crm, state: FSMContext, edit: bool
) -> bool:
    match = _TIME.match(text)
    if match is None:
        await target.answer(
            _("“{value}” is not a time. Send it like 9:00 or 18:30.").format(value=text[:20])
        )
        return False
    try:
        await crm.digests.set_digest_time(member, time(int(match[1]), int(match[2])))
    except CrmError as error:
        await target.answer(error_text(error))
        await state.clear()
        return False
    await state.clear()
    await back_to_settings(target, member, crm, edit=edit)
    return True


@routes.callback_query(DigestCb.filter(F.action == "set"))
async def picked_time(
    callback: CallbackQuery, callback_data: DigestCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if not is_owner(member):
        await callback.answer(_("You don't have access to this."), show_alert=True)
        return
    if isinstance(callback.message, Message):
        await save_time(callback.message, callback_data.value, member, crm, state, edit=True)
    await callback.answer()


@routes.message(DigestFlow.time, F.text)
async def typed_time(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await save_time(message, message.text or "", member, crm, state, edit=False)


@routes.message(DigestFlow.time)
async def time_not_text(message: Message) -> None:
    await message.answer(_("Send the time as text, like 9:00, or /cancel."))
