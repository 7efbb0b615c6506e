"""A forwarded message: a new client from its sender, or a comment on a client's card.

The forwarded text waits in the FSM data (callback data holds 64 bytes at most)
together with the id of the message whose buttons may use it: a press on any
other message, or a second press, finds it gone.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageOriginHiddenUser,
    MessageOriginUser,
)
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.clients import ClientDraft, DuplicateFound
from crm.errors import CrmError
from crm.parsing.search_text import shows
from crm.service import Crm
from crm.timeline import MAX_NOTE
from handlers.clients import create as client_create
from handlers.clients.callbacks import NewClientAction, NewClientCb
from handlers.clients.create import shorten
from handlers.clients.notes import note_ack
from handlers.clients.screen import card_screen
from handlers.clients.states import ForwardData, ForwardFlow, NewClientData
from handlers.clients.views import client_summary
from handlers.kit.alerts import alert
from handlers.kit.keyboards import cancel_button
from handlers.kit.refused import on_refusal
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from storage.models import User

routes = Routes(__name__)

RESULTS = 10
MAX_QUERY = 200


def button(text: str, action: NewClientAction, client_id: int = 0) -> list[InlineKeyboardButton]:
    data = NewClientCb(action=action, client_id=client_id).pack()
    return [InlineKeyboardButton(text=text, callback_data=data)]


def sender_name(message: Message) -> str | None:
    """The person a message was forwarded from; None for chats and channels."""
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        return " ".join(part for part in (user.first_name, user.last_name) if part)
    if isinstance(origin, MessageOriginHiddenUser):
        return origin.sender_user_name
    return None


@routes.message(
    StateFilter(None, ForwardFlow.query), F.forward_origin, F.text, F.chat.type == "private"
)
async def forwarded(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if len(text) > MAX_NOTE:
        await message.answer(
            _("The forwarded text is too long for a comment: at most {limit} characters.").format(
                limit=MAX_NOTE
            )
        )
        return
    name = " ".join((sender_name(message) or "").split()) or None
    rows = []
    if name is not None:
        rows.append(
            button(_("➕ New client: {name}").format(name=shorten(name)), NewClientAction.FWD_NEW)
        )
    open_client = None
    if (open_id := crm.timeline.open_client_id(member, crm.config.card_context)) is not None:
        with suppress(CrmError):  # deleted or handed over since it was opened
            open_client = await crm.clients.visible(member, open_id)
    if open_client is not None:
        add = _("💬 Add to {name}").format(name=shorten(open_client.name))
        rows.append(button(add, NewClientAction.FWD_ADD, open_client.id))
        rows.append(button(_("🔎 Find another client"), NewClientAction.FWD_FIND))
    else:
        rows.append(button(_("🔎 Find a client"), NewClientAction.FWD_FIND))
    rows.append([cancel_button()])
    if name is not None:
        heading = _(
            "A message from {name}. Make them a new client, or add it to a client's history?"
        )
    else:
        heading = _("A forwarded message. Add it to a client's history?")
    await state.set_state(None)
    sent = await message.answer(
        heading.format(name=name), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )
    await ForwardData(fwd_text=text, fwd_name=name, fwd_prompt=sent.message_id).save(state)


async def is_live(state: FSMContext, callback: CallbackQuery) -> bool:
    data = await ForwardData.load(state)
    prompt = callback.message.message_id if callback.message else None
    return data.fwd_text is not None and prompt is not None and data.fwd_prompt == prompt


async def take(state: FSMContext) -> ForwardData:
    """Remove the forwarded text from the dialog data (so it is used once) and return it."""
    taken = await ForwardData.drop(state)
    if await state.get_state() == ForwardFlow.query.state:
        await state.set_state(None)
    return taken


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.FWD_NEW))
async def create_from_sender(
    callback: CallbackQuery, crm: Crm, member: User, state: FSMContext
) -> None:
    if not await is_live(state, callback):
        await alert(callback, _("This button is no longer active."))
        return
    taken = await take(state)
    if not taken.fwd_name:
        await alert(callback, _("This button is no longer active."))
        return
    if await crm.new_cards.required(CardKind.CLIENT) and isinstance(callback.message, Message):
        # the required custom fields first; the text becomes the first comment after them
        draft = NewClientData(name=taken.fwd_name, quick=True, note=taken.fwd_text)
        await client_create.ask_required(callback.message, crm, state, draft, edit=True)
        return
    created = await crm.clients.create(member, ClientDraft(name=taken.fwd_name))
    assert not isinstance(created, DuplicateFound)  # no phone or email to clash
    await crm.timeline.comment(member, created.id, taken.fwd_text or "")
    await show(callback, *await card_screen(crm, member, created.id))


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.FWD_ADD))
async def add_to_client(
    callback: CallbackQuery, callback_data: NewClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if not await is_live(state, callback):
        await alert(callback, _("This button is no longer active."))
        return
    taken = await take(state)

    async def put_back(_error: CrmError) -> None:  # so it may still go to another client
        await taken.save(state)

    async with on_refusal(put_back):  # then Refusals tells why
        event = await crm.timeline.comment(member, callback_data.client_id, taken.fwd_text or "")
        client = await crm.clients.visible(member, callback_data.client_id)
    await show(callback, *note_ack(event, client.name, _("Comment added to {name}.")))


def query_question() -> str:
    return _("Which client? Send a name, phone or email to find them.")


@routes.callback_query(NewClientCb.filter(F.action == NewClientAction.FWD_FIND))
async def ask_query(callback: CallbackQuery, state: FSMContext) -> None:
    if not await is_live(state, callback):
        await alert(callback, _("This button is no longer active."))
        return
    await state.set_state(ForwardFlow.query)
    text = Text(query_question())
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]]))


@routes.message(ForwardFlow.query, F.text)
async def search(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    query = " ".join((message.text or "").split())
    if not shows(query):  # nothing to look for: the question again
        cancel = InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]])
        await message.answer(query_question(), reply_markup=cancel)
        return
    if len(query) > MAX_QUERY:
        await message.answer(_("That is too long to search for; send a name, phone or email."))
        return
    found = await crm.client_queries.search(member, query, limit=RESULTS)
    if not found:
        await message.answer(
            _("Nothing found for “{query}”. Send another name, phone or email, or /cancel.").format(
                query=query
            )
        )
        return
    rows = [
        button(client_summary(client)[:64], NewClientAction.FWD_ADD, client.id) for client in found
    ]
    rows.append([cancel_button()])
    sent = await message.answer(
        _("Which client gets the message?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )
    await replace(await ForwardData.load(state), fwd_prompt=sent.message_id).save(state)


@routes.message(ForwardFlow.query, ~F.text)
async def query_not_text(message: Message) -> None:
    await message.answer(_("Send the search as text, or /cancel."))
