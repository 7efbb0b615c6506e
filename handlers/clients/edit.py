"""Editing a card's fields and tags, each typed value checked with a second chance."""

from __future__ import annotations

import hashlib
import re

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.clients import TextField
from crm.errors import CrmError
from crm.parsing.contacts import EmailError, PhoneError, parse_email, parse_phone
from crm.service import Crm
from handlers.clients.callbacks import ClientCb
from handlers.clients.card import back_button, card_screen, show
from handlers.kit.errors import error_text
from handlers.kit.keyboards import cancel_button
from handlers.kit.routes import Routes
from handlers.kit.timeline import field_label
from storage.models import User

routes = Routes(__name__)

FIELDS = ("name", "company", "phones", "emails", "city", "address", "source")
CLEAR = {"-", "—", "–"}
MAX_PHONES = 10
MAX_EMAILS = 10


class EditFlow(StatesGroup):
    value = State()
    tags = State()


def tag_token(tag: str) -> str:
    """A short, stable reference to a tag for callback data (tags may be long)."""
    return hashlib.sha1(tag.encode()).hexdigest()[:10]


@routes.callback_query(ClientCb.filter(F.action == "edit"))
async def choose_field(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    buttons = [
        InlineKeyboardButton(
            text=field_label(name).capitalize(),
            callback_data=ClientCb(action="edit_field", client_id=client.id, value=name).pack(),
        )
        for name in FIELDS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([back_button(client.id, callback_data.page)])
    text = Text(_("What to change for {name}?").format(name=client.name))
    await show(callback, text, InlineKeyboardMarkup(inline_keyboard=rows))
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "edit_field"))
async def ask_value(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if callback_data.value not in FIELDS:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.set_state(EditFlow.value)
    await state.update_data(client_id=client.id, field=callback_data.value)
    hints = {
        "phones": _("Send the phones separated by commas, or “-” to remove them all."),
        "emails": _("Send the emails separated by commas, or “-” to remove them all."),
        "name": _("Send the new name."),
    }
    hint = hints.get(callback_data.value, _("Send the new value, or “-” to clear it."))
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("{field} of {name}.").format(
                field=field_label(callback_data.value).capitalize(), name=client.name
            )
            + " "
            + hint,
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]]),
        )
    await callback.answer()


@routes.message(EditFlow.value, F.text)
async def save_value(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await state.get_data()
    client_id, field = int(data.get("client_id", 0)), str(data.get("field", ""))
    raw = (message.text or "").strip()
    try:
        if field == "phones":
            phones = [] if raw in CLEAR else _phones(raw, crm.config.default_phone_region)
            await crm.client_edits.set_phones(member, client_id, phones)
        elif field == "emails":
            emails = [] if raw in CLEAR else _emails(raw)
            await crm.client_edits.set_emails(member, client_id, emails)
        elif field in FIELDS:
            value = "" if raw in CLEAR and field != "name" else raw
            text_field: TextField = field  # type: ignore[assignment]
            await crm.client_edits.edit_text(member, client_id, text_field, value)
        else:
            raise CrmError("not_found")
    except _BadValue as problem:
        await message.answer(str(problem))
        return
    except CrmError as error:
        await message.answer(error_text(error))
        if error.code not in ("empty", "too_long"):
            await state.clear()
        return
    await state.clear()
    text, keyboard = await card_screen(crm, member, client_id)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.message(EditFlow.value)
async def value_not_text(message: Message) -> None:
    await message.answer(_("Send the value as text, or /cancel."))


class _BadValue(ValueError):
    pass


def _split(raw: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", raw) if part.strip()]


def _phones(raw: str, region: str) -> list[str]:
    parts = _split(raw)
    if len(parts) > MAX_PHONES:
        raise _BadValue(_("At most {n} phones, please.").format(n=MAX_PHONES))
    phones = []
    for part in parts:
        try:
            phones.append(parse_phone(part, region).e164)
        except PhoneError:
            raise _BadValue(
                _(
                    "“{value}” is not a phone number I can read. "
                    "Try +7 999 123-45-67 or 8 999 123 45 67."
                ).format(value=part[:50])
            ) from None
    return phones


def _emails(raw: str) -> list[str]:
    parts = _split(raw)
    if len(parts) > MAX_EMAILS:
        raise _BadValue(_("At most {n} emails, please.").format(n=MAX_EMAILS))
    emails = []
    for part in parts:
        try:
            emails.append(parse_email(part))
        except EmailError:
            raise _BadValue(
                _("“{value}” is not an email address. Try name@example.com.").format(
                    value=part[:50]
                )
            ) from None
    return emails


# --- tags -------------------------------------------------------------------------------------


async def tags_screen(
    crm: Crm, member: User, client_id: int, page: int
) -> tuple[Text, InlineKeyboardMarkup]:
    contacts = await crm.clients.contacts((await crm.clients.visible(member, client_id)).id)
    rows = [
        [
            InlineKeyboardButton(
                text=f"✖️ #{tag}"[:64],
                callback_data=ClientCb(
                    action="untag", client_id=client_id, page=page, value=tag_token(tag)
                ).pack(),
            )
        ]
        for tag in contacts.tags
    ]
    rows.append([back_button(client_id, page)])
    if contacts.tags:
        text = _("Tap a tag to remove it. To add tags, send them separated by spaces or commas.")
    else:
        text = _("No tags yet. Send tags separated by spaces or commas, e.g. #wholesale #moscow.")
    return Text(text), InlineKeyboardMarkup(inline_keyboard=rows)


@routes.callback_query(ClientCb.filter(F.action == "tags"))
async def show_tags(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    try:
        text, keyboard = await tags_screen(crm, member, callback_data.client_id, callback_data.page)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.set_state(EditFlow.tags)
    await state.update_data(client_id=callback_data.client_id, page=callback_data.page)
    await show(callback, text, keyboard)
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "untag"))
async def remove_tag(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        contacts = await crm.clients.contacts(
            (await crm.clients.visible(member, callback_data.client_id)).id
        )
        tag = next((t for t in contacts.tags if tag_token(t) == callback_data.value), None)
        if tag is None:
            await callback.answer(_("This tag is already removed."), show_alert=True)
            return
        await crm.client_edits.remove_tag(member, callback_data.client_id, tag)
        text, keyboard = await tags_screen(crm, member, callback_data.client_id, callback_data.page)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await show(callback, text, keyboard)
    await callback.answer()


@routes.message(EditFlow.tags, F.text)
async def add_tags(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await state.get_data()
    client_id = int(data.get("client_id", 0))
    tags = [tag for tag in re.split(r"[\s,;]+", message.text or "") if tag.strip("#")]
    if not tags:
        await message.answer(_("Send tags as words, for example #wholesale #moscow, or /cancel."))
        return
    try:
        await crm.client_edits.add_tags(member, client_id, tags)
    except CrmError as error:
        await message.answer(error_text(error))
        if error.code not in ("too_long", "too_many_tags", "empty"):
            await state.clear()
        return
    await state.clear()
    text, keyboard = await card_screen(crm, member, client_id)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)
