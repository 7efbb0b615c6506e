"""/incoming: new leads nobody has yet, with Take it and Spam; Take it on a lead notice."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.service import Crm
from handlers.intake.callbacks import LeadAction, LeadCb
from handlers.intake.views import incoming_screen, spam_said
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, send, show
from storage.models import User

routes = Routes(__name__)


async def _queue(crm: Crm, member: User) -> Screen:
    return Screen(*incoming_screen(await crm.incoming.waiting(member), member.timezone))


@routes.message(Command("incoming"))
async def incoming(message: Message, crm: Crm, member: User) -> None:
    screen = await _queue(crm, member)
    await send(message, screen.text, screen.keyboard)


@routes.callback_query(LeadCb.filter(F.action == LeadAction.LIST))
async def incoming_again(callback: CallbackQuery, crm: Crm, member: User) -> None:
    await show(callback, await _queue(crm, member))


@routes.callback_query(LeadCb.filter(F.action == LeadAction.TAKE))
async def take(callback: CallbackQuery, callback_data: LeadCb, crm: Crm, member: User) -> None:
    await crm.incoming.take(member, callback_data.lead_id)
    await callback.answer(_("The lead is yours now."))
    if callback_data.listed:
        await show(callback, await _queue(crm, member))


@routes.callback_query(LeadCb.filter(F.action == LeadAction.SPAM))
async def spam(callback: CallbackQuery, callback_data: LeadCb, crm: Crm, member: User) -> None:
    await callback.answer(spam_said(await crm.incoming.spam(member, callback_data.lead_id)))
    await show(callback, await _queue(crm, member))
