"""Editing a card's fields and tags, each typed value checked with a second chance."""

from __future__ import annotations

import hashlib
import re

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.clients import TextField
from crm.errors import CrmError, ErrorCode
from crm.service import Crm
from handlers.clients import contacts
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.screen import back_button, card_screen
from handlers.clients.states import EditData, EditFlow
from handlers.kit.alerts import alert
from handlers.kit.event_labels import field_label
from handlers.kit.keyboards import cancel_row, keyboard, pick
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import send, show
from storage.models import User

routes = Routes(__name__)
routes.include(contacts.routes)  # phones and emails, one at a time

FIELDS = ("name", "company", "phones", "emails", "city", "address", "source")
CLEAR = {"-", "—", "–"}


def tag_token(tag: str) -> str:
    """A short, stable reference to a tag for callback data (tags may be long)."""
    return hashlib.sha1(tag.encode()).hexdigest()[:10]


@routes.callback_query(ClientCb.filter(F.action == CardAction.EDIT))
async def choose_field(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    choices = [
        (
            field_label(name).capitalize(),
            ClientCb(
                action=CardAction.CONTACTS if name in contacts.KINDS else CardAction.EDIT_FIELD,
                client_id=client.id,
                page=callback_data.page,
                code=name,
            ),
        )
        for name in FIELDS
    ]
    rows = [*pick(choices, columns=2), [back_button(client.id, callback_data.page)]]
    text = Text(_("What to change for {name}?").format(name=client.name))
    await show(callback, text, keyboard(*rows))


@routes.callback_query(ClientCb.filter(F.action == CardAction.EDIT_FIELD))
async def ask_value(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    field = callback_data.code
    if field not in FIELDS:
        await alert(callback, _("This button is no longer active."))
        return
    client = await crm.clients.visible(member, callback_data.client_id)
    if field in contacts.KINDS:  # one at a time, each removed after a question
        screen = await contacts.contacts_screen(crm, member, client.id, field, callback_data.page)
        await show(callback, *screen)
        return
    await state.set_state(EditFlow.value)
    await EditData(client_id=client.id, field=field).save(state)
    # What the field holds now, named as such: "Компания: Иван Петров." read as if the
    # client's name were the company.
    if field == "name":
        question = _("The name now: {value}. Send the new name.").format(value=client.name)
    else:
        question = _(
            "{field} of {name} now: {value}. Send the new value, or “-” to clear it."
        ).format(
            field=field_label(field).capitalize(),
            name=client.name,
            value=getattr(client, field) or "—",
        )
    if isinstance(callback.message, Message):
        await callback.message.answer(question, reply_markup=keyboard(cancel_row()))


@routes.message(EditFlow.value, F.text)
async def save_value(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await EditData.load(state)
    client_id, field = data.client_id, data.field
    raw = (message.text or "").strip()
    # A refusal of the value keeps the dialog open for a second try; any other ends it.
    again = {ErrorCode.EMPTY, ErrorCode.NO_LETTERS, ErrorCode.TOO_LONG}
    async with keep_asking(state, again=again, forget=True):
        if field in FIELDS and field not in contacts.KINDS:
            value = "" if raw in CLEAR and field != "name" else raw
            text_field: TextField = field  # type: ignore[assignment]
            await crm.client_edits.edit_text(member, client_id, text_field, value)
        else:
            raise CrmError(ErrorCode.NOT_FOUND)
    await state.clear()
    await send(message, *await card_screen(crm, member, client_id))


@routes.message(EditFlow.value)
async def value_not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


# --- tags -------------------------------------------------------------------------------------


async def tags_screen(
    crm: Crm, member: User, client_id: int, page: int
) -> tuple[Text, InlineKeyboardMarkup]:
    contacts = await crm.clients.contacts((await crm.clients.visible(member, client_id)).id)
    untag = [
        (
            f"✖️ #{tag}"[:64],
            ClientCb(action=CardAction.UNTAG, client_id=client_id, page=page, code=tag_token(tag)),
        )
        for tag in contacts.tags
    ]
    rows = [*pick(untag), [back_button(client_id, page)]]
    if contacts.tags:
        text = _("Tap a tag to remove it. To add tags, send them separated by spaces or commas.")
    else:
        text = _("No tags yet. Send tags separated by spaces or commas, e.g. #wholesale #moscow.")
    return Text(text), keyboard(*rows)


@routes.callback_query(ClientCb.filter(F.action == CardAction.TAGS))
async def show_tags(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    screen = await tags_screen(crm, member, callback_data.client_id, callback_data.page)
    await state.set_state(EditFlow.tags)
    await EditData(client_id=callback_data.client_id, page=callback_data.page).save(state)
    await show(callback, *screen)


@routes.callback_query(ClientCb.filter(F.action == CardAction.UNTAG))
async def remove_tag(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    contacts = await crm.clients.contacts(client.id)
    tag = next((t for t in contacts.tags if tag_token(t) == callback_data.code), None)
    if tag is None:
        await alert(callback, _("This tag is already removed."))
        return
    await crm.client_edits.remove_tag(member, client.id, tag)
    await show(callback, *await tags_screen(crm, member, client.id, callback_data.page))


@routes.message(EditFlow.tags, F.text)
async def add_tags(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    client_id = (await EditData.load(state)).client_id
    words = re.split(r"[\s,;]+", message.text or "")
    tags = [tag for tag in words if tag.strip("#.!?:…")]  # "#vip ." is the one tag vip
    if not tags:
        await message.answer(_("Send tags as words, for example #wholesale #moscow, or /cancel."))
        return
    # A refusal of the tags keeps the dialog open for a second try; any other ends it.
    again = {ErrorCode.TOO_LONG, ErrorCode.TOO_MANY_TAGS, ErrorCode.EMPTY}
    async with keep_asking(state, again=again, forget=True):
        await crm.client_edits.add_tags(member, client_id, tags)
    await state.clear()
    await send(message, *await card_screen(crm, member, client_id))
