"""The client card: open it, page its timeline. Its actions are their own small modules."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery

from crm.errors import NotFound
from crm.service import Crm
from handlers.clients import actions as card_actions
from handlers.clients import attachments as card_attachments
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.screen import name_deal_managers as name_deal_managers  # for deals/
from handlers.clients.screen import refresh
from handlers.clients.views import CARD_PAGE
from handlers.intake.views import lead_preview
from handlers.kit.routes import Routes
from handlers.kit.screen import show as show  # deals/ still import it from here
from storage.models import User

routes = Routes(__name__)
routes.include(card_actions.routes, card_attachments.routes)


@routes.callback_query(
    ClientCb.filter(F.action.in_({CardAction.OPEN, CardAction.PAGE, CardAction.FROM}))
)
async def open_card(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    first = callback_data.page
    if callback_data.action == CardAction.PAGE:  # an older message's: a page of events
        first *= CARD_PAGE
    try:
        await refresh(callback, crm, member, callback_data.client_id, first)
    except NotFound:
        # Not theirs to see, but a lead on it queued for them (its card's member has left):
        # what they would take, rather than "not found" until they take it.
        lead = await crm.incoming.waiting_on(member, callback_data.client_id)
        if lead is None:
            raise
        contacts = await crm.clients.contacts(lead.client_id)
        await show(callback, *lead_preview(lead, contacts.phones, contacts.emails, member.timezone))
