"""A forwarded message: a new client from its sender, or a comment on a client's card.

The forwarded text waits in the FSM data (callback data holds 64 bytes at most)
together with the id of the message whose buttons may use it: a press on any
other message, or a second press, finds it gone.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
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

from crm.clients import ClientDraft, DuplicateFound
from crm.errors import CrmError
from crm.service import Crm
from crm.timeline import MAX_NOTE
from handlers.clients.callbacks import NewClientCb
from handlers.clients.card import card_screen, show
from handlers.clients.create import shorten
from handlers.clients.notes import note_ack
from handlers.clients.views import client_summary
from handlers.kit.errors import error_text
from handlers.kit.keyboards import cancel_button
from handlers.kit.routes import Routes
from storage.models import User

routes = Routes(__name__)

KEYS = ("fwd_text", "fwd_name", "fwd_prompt")
RESULTS = 10
MAX_QUERY = 200


class ForwardFlow(StatesGroup):
    query = State()  # waiting for a search for the client to attach the text to


def button(text: str, action: str, client_id: int = 0) -> list[InlineKeyboardButton]:
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
        rows.append(button(_("➕ New client: {name}").format(name=shorten(name)), "fwd_new"))
    open_client = None
    if (open_id := crm.timeline.open_client_id(member, crm.config.card_context)) is not None:
        with suppress(CrmError):  # deleted or handed over since it was opened
            open_client = await crm.clients.visible(member, open_id)
    if open_client is not None:
        add = _("💬 Add to {name}").format(name=shorten(open_client.name))
        rows.append(button(add, "fwd_add", open_client.id))
        rows.append(button(_("🔎 Find another client"), "fwd_find"))
    else:
        rows.append(button(_("🔎 Find a client"), "fwd_find"))
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
    await state.update_data(fwd_text=text, fwd_name=name, fwd_prompt=sent.message_id)


def is_live(data: dict[str, Any], callback: CallbackQuery) -> bool:
    prompt = callback.message.message_id if callback.message else None
    return "fwd_text" in data and prompt is not None and data.get("fwd_prompt") == prompt


async def take(state: FSMContext) -> dict[str, Any]:
    """Remove the forwarded text from the dialog data (so it is used once) and return it."""
    data = await state.get_data()
    await state.set_data({k: v for k, v in data.items() if k not in KEYS})
    if await state.get_state() == ForwardFlow.query.state:
        await state.set_state(None)
    return {k: data.get(k) for k in KEYS}


@routes.callback_query(NewClientCb.filter(F.action == "fwd_new"))
async def create_from_sender(
    callback: CallbackQuery, crm: Crm, member: User, state: FSMContext
) -> None:
    if not is_live(await state.get_data(), callback):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    taken = await take(state)
    if not taken["fwd_name"]:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    try:
        created = await crm.clients.create(member, ClientDraft(name=str(taken["fwd_name"])))
        assert not isinstance(created, DuplicateFound)  # no phone or email to clash
        await crm.timeline.comment(member, created.id, str(taken["fwd_text"]))
        text, keyboard = await card_screen(crm, member, created.id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await show(callback, text, keyboard)
    await callback.answer()


@routes.callback_query(NewClientCb.filter(F.action == "fwd_add"))
async def add_to_client(
    callback: CallbackQuery, callback_data: NewClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if not is_live(await state.get_data(), callback):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    taken = await take(state)
    try:
        event = await crm.timeline.comment(member, callback_data.client_id, str(taken["fwd_text"]))
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await state.update_data(**taken)  # the text may still go to another client
        await callback.answer(error_text(error), show_alert=True)
        return
    text, keyboard = note_ack(event, client.name, _("Comment added to {name}."))
    await show(callback, text, keyboard)
    await callback.answer()


@routes.callback_query(NewClientCb.filter(F.action == "fwd_find"))
async def ask_query(callback: CallbackQuery, state: FSMContext) -> None:
    if not is_live(await state.get_data(), callback):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await state.set_state(ForwardFlow.query)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]])
    await show(
        callback, Text(_("Which client? Send a name, phone or email to find them.")), keyboard
    )
    await callback.answer()


@routes.message(ForwardFlow.query, F.text)
async def search(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    query = " ".join((message.text or "").split())
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
    rows = [button(client_summary(client)[:64], "fwd_add", client.id) for client in found]
    rows.append([cancel_button()])
    sent = await message.answer(
        _("Which client gets the message?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )
    await state.update_data(fwd_prompt=sent.message_id)


@routes.message(ForwardFlow.query, ~F.text)
async def query_not_text(message: Message) -> None:
    await message.answer(_("Send the search as text, or /cancel."))
