"""A card's phones and emails, one at a time (issue 10, item 13): each is a button that
removes it after a question; "➕ Add" takes one typed value, checked with a second chance.
"""

from __future__ import annotations

import hashlib
import re

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.errors import ErrorCode, InvalidInput
from crm.parsing.contacts import EmailError, PhoneError, parse_phone, parse_typed_email
from crm.parsing.search_text import shows, unseen
from crm.service import Crm
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.screen import back_button
from handlers.clients.states import EditData, EditFlow
from handlers.kit.alerts import alert
from handlers.kit.keyboards import button, keyboard, pick
from handlers.kit.labels import format_phone
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import send, show
from handlers.kit.timeline import shorten
from storage.models import User

routes = Routes(__name__)
KINDS = ("phones", "emails")
MAX_CONTACTS = 10  # of each kind on one card
DUPLICATES = ("duplicate_phone", "duplicate_email")


def value_token(value: str) -> str:
    """A short, stable reference to a phone or an email for callback data."""
    return hashlib.sha1(value.encode()).hexdigest()[:10]


def shown(kind: str, value: str) -> str:
    return format_phone(value) if kind == "phones" else value


async def values_of(crm: Crm, member: User, client_id: int, kind: str) -> tuple[str, list[str]]:
    """The client's name and its phones or emails (the client must be visible)."""
    client = await crm.clients.visible(member, client_id)
    contacts = await crm.clients.contacts(client.id)
    return client.name, list(contacts.phones if kind == "phones" else contacts.emails)


async def contacts_screen(
    crm: Crm, member: User, client_id: int, kind: str, page: int
) -> tuple[Text, InlineKeyboardMarkup]:
    name, values = await values_of(crm, member, client_id, kind)
    heading = _("Phones of {name}") if kind == "phones" else _("Emails of {name}")
    parts = [as_line(Bold(heading.format(name=name)))]
    parts += [as_line("📞 " if kind == "phones" else "✉️ ", shown(kind, v)) for v in values]
    if values:
        parts.append(as_line("\n", _("Tap one to remove it.")))
    else:
        parts.append(as_line(_("None yet.")))

    def data(action: CardAction, code: str) -> ClientCb:
        return ClientCb(action=action, client_id=client_id, page=page, code=code)

    removes = [
        ("✖️ " + shorten(shown(kind, v), 50), data(CardAction.UNCONTACT, kind[0] + value_token(v)))
        for v in values
    ]
    add = _("➕ Add a phone") if kind == "phones" else _("➕ Add an email")
    rows = [*pick(removes), [button(add, data(CardAction.CONTACT_ADD, kind))]]
    return Text(*parts), keyboard(*rows, [back_button(client_id, page)])


def kind_of(code: str) -> str | None:
    return code if code in KINDS else None


@routes.callback_query(ClientCb.filter(F.action == CardAction.CONTACTS))
async def show_contacts(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    await crm.clients.visible(member, callback_data.client_id)
    kind = kind_of(callback_data.code)
    if kind is None:
        await alert(callback, _("This button is no longer active."))
        return
    if await state.get_state() == EditFlow.contact.state:
        await state.clear()  # "◀️ Back" from "send one" leaves it
    screen = await contacts_screen(crm, member, callback_data.client_id, kind, callback_data.page)
    await show(callback, *screen)


@routes.callback_query(ClientCb.filter(F.action == CardAction.CONTACT_ADD))
async def ask_one(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    kind = kind_of(callback_data.code)
    if kind is None:
        await alert(callback, _("This button is no longer active."))
        return
    _name, values = await values_of(crm, member, client.id, kind)
    if len(values) >= MAX_CONTACTS:  # said now, not after one is typed
        full = _("A card holds at most {n} of these.").format(n=MAX_CONTACTS)
        await alert(callback, full)
        return
    await state.set_state(EditFlow.contact)
    await EditData(client_id=client.id, field=kind, page=callback_data.page).save(state)
    if kind == "phones":
        question = _("Send one phone number for {name}, e.g. +7 999 123-45-67.")
    else:
        question = _("Send one email for {name}, e.g. name@example.com.")
    back = ClientCb(
        action=CardAction.CONTACTS, client_id=client.id, page=callback_data.page, code=kind
    )
    await show(
        callback, Text(question.format(name=client.name)), keyboard([button(_("◀️ Back"), back)])
    )


@routes.message(EditFlow.contact, F.text)
async def typed_one(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await EditData.load(state)
    kind, raw = data.field, (message.text or "").strip()
    async with keep_asking(state, again=(), forget=True):  # gone meanwhile: the question ends
        _name, values = await values_of(crm, member, data.client_id, kind)
    if len(values) >= MAX_CONTACTS:
        await state.clear()
        await message.answer(_("A card holds at most {n} of these.").format(n=MAX_CONTACTS))
        return
    if unseen(raw):  # nothing of it shows: not quoted back as "“” is not a phone number"
        raise InvalidInput(ErrorCode.EMPTY, field=kind)  # told, and asked again
    if len([part for part in re.split(r"[,;\n]", raw) if shows(part)]) > 1:
        # two numbers pasted at once were "not a phone number I can read"
        await message.answer(_("One at a time, please: send the first one now."))
        return
    try:  # another client's value: send another one; any other refusal ends the question
        async with keep_asking(state, again=DUPLICATES, forget=True):
            if kind == "phones":
                value = parse_phone(raw, crm.config.default_phone_region).e164
                await crm.client_edits.add_phone(member, data.client_id, value)
            else:
                value = parse_typed_email(raw)
                await crm.client_edits.add_email(member, data.client_id, value)
    except PhoneError:
        why = _(
            "“{value}” is not a phone number I can read. Try +7 999 123-45-67 or 8 999 123 45 67."
        )
        await message.answer(why.format(value=shorten(raw, 50)))
        return
    except EmailError:
        why = _("“{value}” is not an email address. Try name@example.com.")
        await message.answer(why.format(value=shorten(raw, 50)))
        return
    await state.clear()
    await send(message, *await contacts_screen(crm, member, data.client_id, kind, data.page))


@routes.message(EditFlow.contact)
async def one_not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


async def chosen(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> tuple[str, str | None]:
    """The kind and the value a remove button names (None: already removed)."""
    kind = next((k for k in KINDS if callback_data.code[:1] == k[0]), "phones")
    _name, values = await values_of(crm, member, callback_data.client_id, kind)
    token = callback_data.code[1:]
    return kind, next((v for v in values if value_token(v) == token), None)


@routes.callback_query(ClientCb.filter(F.action == CardAction.UNCONTACT))
async def ask_remove(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    kind, value = await chosen(callback, callback_data, crm, member)
    client_id, page = callback_data.client_id, callback_data.page
    if value is None:
        await alert(callback, _("That was already removed."))
        await show(callback, *await contacts_screen(crm, member, client_id, kind, page))
        return
    client = await crm.clients.visible(member, client_id)
    yes = ClientCb(
        action=CardAction.UNCONTACT_YES, client_id=client_id, page=page, code=callback_data.code
    )
    no = ClientCb(action=CardAction.CONTACTS, client_id=client_id, page=page, code=kind)
    text = _("Remove {value} from the card of {name}?").format(
        value=shown(kind, value), name=client.name
    )
    await show(
        callback,
        Text(text),
        keyboard([button(_("🗑 Yes, remove"), yes), button(_("◀️ No, back"), no)]),
    )


@routes.callback_query(ClientCb.filter(F.action == CardAction.UNCONTACT_YES))
async def remove(callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User) -> None:
    kind, value = await chosen(callback, callback_data, crm, member)
    client_id, page = callback_data.client_id, callback_data.page
    if value is None:
        await alert(callback, _("That was already removed."))
    elif kind == "phones":
        await crm.client_edits.remove_phone(member, client_id, value)
    else:
        await crm.client_edits.remove_email(member, client_id, value)
    await show(callback, *await contacts_screen(crm, member, client_id, kind, page))
    if value is not None:
        await callback.answer(_("Removed."))
