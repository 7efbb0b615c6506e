"""The card as a screen, and how the card's actions put it back in front of the member."""

from __future__ import annotations

from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind, CardRef
from crm.event_data import DealChanged, data_of
from crm.service import Crm
from handlers.business import views as business_views
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.views import render_card
from handlers.kit.keyboards import button
from handlers.kit.screen import send, show
from handlers.records.common import card_lines
from storage.models import Event, User


async def card_screen(
    crm: Crm, member: User, client_id: int, page: int = 0
) -> tuple[Text, InlineKeyboardMarkup]:
    """The card as a screen, its history from the ``page``-th event (0: the newest);
    opening it also makes it the member's open card."""
    card = await crm.client_queries.card(member, client_id, first=page)
    await name_deal_managers(crm, card.events, card.actors)
    extra = await card_lines(crm, member, CardRef(CardKind.CLIENT, client_id), card.client)
    rows = []
    chat = await crm.business_replies.chat_of(member, client_id)
    if chat is not None:
        extra = [*extra, business_views.card_line(chat)]
        rows.append(business_views.card_row(chat, member.id, client_id))
    statuses = await crm.settings.statuses()
    await crm.timeline.open_card(member, client_id)  # remembered once the card is out
    return render_card(card, member, statuses, card.first, extra, rows)  # (past the end: the last)


async def name_deal_managers(crm: Crm, events: list[Event], people: dict[int, User]) -> None:
    """Add the members a "deal's responsible changed" event names, to show their names."""
    for event in events:
        changed = data_of(event, DealChanged)
        if event.kind == "deal_changed" and changed.get("field") == "manager_id":
            for value in (changed.get("old"), changed.get("new")):
                if value and int(value) not in people:
                    found = await crm.members.get_active(int(value))
                    if found is not None:
                        people[found.id] = found


async def send_card(message: Message, crm: Crm, member: User, client_id: int) -> None:
    """Send the card as a new message (after creating a client, from search results)."""
    await send(message, *await card_screen(crm, member, client_id))


async def refresh(
    callback: CallbackQuery, crm: Crm, member: User, client_id: int, page: int = 0
) -> None:
    await show(callback, *await card_screen(crm, member, client_id, page))


def back_button(client_id: int, page: int = 0) -> InlineKeyboardButton:
    return button(_("◀️ Card"), ClientCb(action=CardAction.OPEN, client_id=client_id, page=page))
