"""/incoming: new leads nobody has yet, with Take it and Spam; Take it on a lead notice."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from crm.intake.queue import QUEUE_PAGE
from crm.service import Crm
from handlers.intake.callbacks import LeadAction, LeadCb
from handlers.intake.views import incoming_screen, spam_said
from handlers.kit.alerts import alert
from handlers.kit.routes import Routes
from handlers.kit.screen import Screen, send, show
from storage.models import User

routes = Routes(__name__)


async def _queue(crm: Crm, member: User, listed: int = 1) -> Screen:
    """The page of the queue a press came from (``LeadCb.listed``: its page + 1); past the
    last, as after its last lead was taken, the last."""
    total = await crm.incoming.waiting_count(member)
    pages = max(1, -(-total // QUEUE_PAGE))
    page = min(max(listed - 1, 0), pages - 1)
    leads = await crm.incoming.waiting(member, offset=page * QUEUE_PAGE)
    return Screen(*incoming_screen(leads, member.timezone, page, total))


@routes.message(Command("incoming"))
async def incoming(message: Message, crm: Crm, member: User) -> None:
    screen = await _queue(crm, member)
    await send(message, screen.text, screen.keyboard)


@routes.callback_query(LeadCb.filter(F.action == LeadAction.LIST))
async def incoming_again(
    callback: CallbackQuery, callback_data: LeadCb, crm: Crm, member: User
) -> None:
    await show(callback, await _queue(crm, member, callback_data.listed))


@routes.callback_query(LeadCb.filter(F.action == LeadAction.TAKE))
async def take(callback: CallbackQuery, callback_data: LeadCb, crm: Crm, member: User) -> None:
    await crm.incoming.take(member, callback_data.lead_id)
    await callback.answer(_("The lead is yours now."))
    if callback_data.listed:
        await show(callback, await _queue(crm, member, callback_data.listed))


@routes.callback_query(LeadCb.filter(F.action == LeadAction.SPAM))
async def spam(callback: CallbackQuery, callback_data: LeadCb, crm: Crm, member: User) -> None:
    said = spam_said(await crm.incoming.spam(member, callback_data.lead_id))
    await alert(callback, said, toast=True)
    await show(callback, await _queue(crm, member, callback_data.listed))
