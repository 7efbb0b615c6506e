"""Plain text with no dialog open: a reply to a card, a note on the open card, or a search."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import CrmError
from crm.parsing.name_match import looks_like_name, name_words
from crm.service import Crm
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.notes import note_ack
from handlers.clients.search import search_and_answer
from handlers.deals.callbacks import DealAction, DealCb
from handlers.kit.refused import closes_card_when_gone
from handlers.kit.routes import Routes
from handlers.kit.screen import send, show
from handlers.opencard.callbacks import OpenCardAction, OpenCardCb, WholeNoteCb
from handlers.opencard.states import PendingText, take_once
from handlers.opencard.views import deal_comment_ack, record_comment_ack, which_question
from handlers.records.callbacks import Ent, EntCb
from storage.models import Client, User

routes = Routes(__name__)
PLAIN = (StateFilter(None), F.text, ~F.text.startswith("/"), F.chat.type == "private")
NAMES_LOOKED_AT = 5
Card = tuple[int, int, int]
"""An open card: (record, client, deal), each 0 when it is not that kind's."""


def card_of(markup: InlineKeyboardMarkup | None) -> Card | None:
    """(record, client, deal) of the card whose buttons these are: a record's card, a
    deal's card, or a client's card (the others 0); None for any other message. Known by
    the card's own Comment."""
    found: Card | None = None
    for row in markup.inline_keyboard if markup else []:
        for key in row:
            data = key.callback_data or ""
            try:
                if data.startswith(f"{DealCb.__prefix__}:"):
                    deal = DealCb.unpack(data)
                    if deal.action == DealAction.COMMENT and deal.deal_id:
                        return 0, 0, deal.deal_id
                elif data.startswith(f"{EntCb.__prefix__}:"):
                    ent = EntCb.unpack(data)
                    if ent.action == Ent.COMMENT and ent.kind == CardKind.RECORD and ent.card:
                        return ent.card, 0, 0
                elif data.startswith(f"{ClientCb.__prefix__}:"):
                    client = ClientCb.unpack(data)
                    if client.action == CardAction.COMMENT and client.client_id:
                        found = 0, client.client_id, 0
            except (ValueError, CrmError):  # not a button of ours as it is now
                continue
    return found


def replied_card(message: Message) -> dict[str, Any] | bool:
    """A filter: the message answers a card's message; gives the handler ``card``."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return False
    card = card_of(replied.reply_markup)
    return {"card": card} if card is not None else False


@routes.message(*PLAIN, replied_card)
async def reply_to_card(message: Message, crm: Crm, member: User, card: Card) -> None:
    """A reply to a card's message goes into that card's history, whichever card is open."""
    await comment_on(message, crm, member, card, message.text or "")


@routes.message(*PLAIN)
async def plain_text(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """Text after opening a card (a client's, a deal's, a record's) is a note on it (a
    short name of another client is asked about); otherwise it is a search."""
    text = message.text or ""
    window = crm.config.card_context
    record_id = crm.timeline.open_record_id(member, window) or 0
    client_id = crm.timeline.open_client_id(member, window) or 0
    if not record_id and not client_id:
        await search_and_answer(message, crm, member, text)
        return
    if record_id:
        card = (record_id, 0, 0)
    else:
        card = (0, client_id, crm.timeline.open_deal_id(member, window) or 0)
    other = await named_client(crm, member, text, client_id)
    if other is None:
        async with closes_card_when_gone(crm, member):
            await comment_on(message, crm, member, card, text)
        return
    async with closes_card_when_gone(crm, member):  # as a note is: the next text a search
        name = await card_name(crm, member, card)
    key = message.message_id % 2**31
    await PendingText(
        pending_key=key,
        pending_text=text,
        pending_record=card[0],
        pending_client=card[1],
        pending_deal=card[2],
    ).save(state)
    await show(message, which_question(key, text, name, other.name))


async def card_name(crm: Crm, member: User, card: Card) -> str:
    """What the card (record, client, deal) is called."""
    record_id, client_id, deal_id = card
    if record_id:
        return (await crm.records.visible(member, record_id)).title
    if deal_id:
        return (await crm.deals.visible(member, deal_id)).title
    return (await crm.clients.visible(member, client_id)).name


async def named_client(crm: Crm, member: User, text: str, card_client: int) -> Client | None:
    """Another client (not the open card's) whose name the short ``text`` reads as."""
    if name_words(text) is None:
        return None
    for client in await crm.client_queries.search(member, text, limit=NAMES_LOOKED_AT):
        if client.id != card_client and looks_like_name(text, client.name):
            return client
    return None


async def comment_on(
    target: Message | CallbackQuery, crm: Crm, member: User, card: Card, text: str
) -> None:
    """Write ``text`` into the history of the card (record, client, deal): a record's, a
    deal's, or else a client's, and say so with Undo."""
    record_id, client_id, deal_id = card
    if record_id:
        event = await crm.records.comment(member, record_id, text)
        record = await crm.records.visible(member, record_id)
        await show(target, record_comment_ack(event, record.title))
        return
    if deal_id:
        event = await crm.deals.comment(member, deal_id, text)
        deal = await crm.deals.visible(member, deal_id)
        await show(target, deal_comment_ack(event, deal.id, deal.title))
        return
    event = await crm.timeline.comment(member, client_id, text)
    client = await crm.clients.visible(member, client_id)
    await show(target, *note_ack(event, client.name, _("Comment added to {name}.")))


def _gone() -> str:
    return _("This question is already answered or has expired; send the text again.")


@routes.callback_query(OpenCardCb.filter(F.action == OpenCardAction.COMMENT))
async def as_comment(
    callback: CallbackQuery, callback_data: OpenCardCb, crm: Crm, member: User, state: FSMContext
) -> None:
    data = await take_once(callback, state, PendingText, callback_data.ref, _gone())
    if data is None:
        return
    card = (data.pending_record, data.pending_client, data.pending_deal)
    await comment_on(callback, crm, member, card, data.pending_text or "")


@routes.callback_query(OpenCardCb.filter(F.action == OpenCardAction.SEARCH))
async def as_search(
    callback: CallbackQuery, callback_data: OpenCardCb, crm: Crm, member: User, state: FSMContext
) -> None:
    data = await take_once(callback, state, PendingText, callback_data.ref, _gone())
    if data is None or not isinstance(callback.message, Message):
        return
    await crm.timeline.close_card(member)  # a search leaves the open card
    await search_and_answer(callback.message, crm, member, data.pending_text or "")


@routes.callback_query(WholeNoteCb.filter())
@routes.callback_query(OpenCardCb.filter(F.action == OpenCardAction.FULL_TEXT))
async def read_whole(
    callback: CallbackQuery, callback_data: WholeNoteCb | OpenCardCb, crm: Crm, member: User
) -> None:
    """A note the timeline shows cut, whole, as a new message under the card (if it is
    still the note the button was made for: an older message's button cannot say)."""
    check = callback_data.check if isinstance(callback_data, WholeNoteCb) else None
    event = await crm.timeline.note_event(member, callback_data.ref, check)
    if isinstance(callback.message, Message):
        await send(callback.message, Text(event.text or ""))
