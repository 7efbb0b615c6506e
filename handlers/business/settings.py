"""/settings → Telegram Business: the owner's switch for the team, a member's own connection."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from crm.team_settings import can_change_settings
from handlers.business.callbacks import BizAction, BizCb
from handlers.business.views import settings_screen
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, show
from storage.models import User

routes = Routes(__name__)


async def _screen(crm: Crm, member: User) -> Screen:
    owner = can_change_settings(member)
    inbox_on = await crm.business.inbox_on()
    left_out = await crm.business_replies.left_out(member)
    return Screen(*settings_screen(owner, inbox_on, await crm.business.mine(member), left_out))


@routes.callback_query(BizCb.filter(F.action == BizAction.SETTINGS))
async def business_settings(callback: CallbackQuery, crm: Crm, member: User) -> None:
    await show(callback, await _screen(crm, member))


@routes.callback_query(BizCb.filter(F.action == BizAction.INBOX))
async def switch_inbox(
    callback: CallbackQuery, callback_data: BizCb, crm: Crm, member: User
) -> None:
    await crm.business.set_inbox(member, callback_data.on)
    await callback.answer(
        _("The inbox is on: connected chats go onto the cards.")
        if callback_data.on
        else _("The inbox is off: nothing from connected chats is recorded.")
    )
    await show(callback, await _screen(crm, member))


@routes.callback_query(BizCb.filter(F.action == BizAction.DEAL))
async def switch_deal(
    callback: CallbackQuery, callback_data: BizCb, crm: Crm, member: User
) -> None:
    await crm.business.set_open_deal(member, callback_data.on)
    await show(callback, await _screen(crm, member))


@routes.callback_query(BizCb.filter(F.action == BizAction.TAKE_BACK))
async def take_back(callback: CallbackQuery, callback_data: BizCb, crm: Crm, member: User) -> None:
    taken = await crm.business_replies.take_back(member, callback_data.chat)
    await callback.answer(
        _("The chat is recorded again: the customer's next message makes their card.")
        if taken
        else _("This chat is recorded already.")
    )
    await show(callback, await _screen(crm, member))
