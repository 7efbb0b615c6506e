"""Writing on a card: comments, calls, and whatever is sent while the card is open."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from crm.service import Crm
from crm.timeline import CALL_OUTCOMES, FileKind
from handlers.clients.callbacks import ClientCb
from handlers.clients.card import show
from handlers.clients.search import search_and_answer
from handlers.kit.errors import error_text
from handlers.kit.keyboards import cancel_button
from handlers.kit.routes import Routes
from handlers.kit.timeline import call_outcome_label
from storage.models import Event, User

routes = Routes(__name__)


class NoteFlow(StatesGroup):
    comment = State()
    call_note = State()


def note_ack(event: Event, client_name: str, text: str) -> tuple[Text, InlineKeyboardMarkup]:
    """The acknowledgement of something added to a card, with Undo and a way back."""
    assert event.client_id is not None
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("↩️ Undo"),
                    callback_data=ClientCb(
                        action="undo", client_id=event.client_id, value=str(event.id)
                    ).pack(),
                ),
                InlineKeyboardButton(
                    text=_("👤 Open card"),
                    callback_data=ClientCb(action="open", client_id=event.client_id).pack(),
                ),
            ]
        ]
    )
    return Text(text.format(name=client_name)), keyboard


@routes.callback_query(ClientCb.filter(F.action == "comment"))
async def ask_comment(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.set_state(NoteFlow.comment)
    await state.update_data(client_id=client.id)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("Write the comment for {name}.").format(name=client.name),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[cancel_button()]]),
        )
    await callback.answer()


@routes.message(NoteFlow.comment, F.text)
async def save_comment(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    client_id = int((await state.get_data()).get("client_id", 0))
    try:
        event = await crm.timeline.comment(member, client_id, message.text or "")
        client = await crm.clients.visible(member, client_id)
    except CrmError as error:
        await message.answer(error_text(error))
        if error.code not in ("empty", "too_long"):
            await state.clear()
        return
    await state.clear()
    text, keyboard = note_ack(event, client.name, _("Comment added to {name}."))
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.message(NoteFlow.comment)
async def comment_not_text(message: Message) -> None:
    await message.answer(_("Send the comment as text, or /cancel."))


@routes.callback_query(ClientCb.filter(F.action == "call"))
async def ask_call_outcome(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=call_outcome_label(outcome),
                callback_data=ClientCb(
                    action="call_outcome", client_id=client.id, value=outcome
                ).pack(),
            )
            for outcome in CALL_OUTCOMES
        ],
        [cancel_button()],
    ]
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("How did the call with {name} go?").format(name=client.name),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
        )
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "call_outcome"))
async def ask_call_note(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if callback_data.value not in CALL_OUTCOMES:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    try:
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await state.set_state(NoteFlow.call_note)
    await state.update_data(client_id=client.id, outcome=callback_data.value)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Save without a note"),
                    callback_data=ClientCb(
                        action="call_save", client_id=client.id, value=callback_data.value
                    ).pack(),
                )
            ],
            [cancel_button()],
        ]
    )
    text = Text(
        _("Call: {outcome}. What was said? Send a note, or save without one.").format(
            outcome=call_outcome_label(callback_data.value)
        )
    )
    await show(callback, text, keyboard)
    await callback.answer()


@routes.callback_query(ClientCb.filter(F.action == "call_save"))
async def save_call_without_note(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if await state.get_state() != NoteFlow.call_note.state:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await state.clear()
    try:
        event = await crm.timeline.call(member, callback_data.client_id, callback_data.value, None)
        client = await crm.clients.visible(member, callback_data.client_id)
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    text, keyboard = note_ack(event, client.name, _("Call logged for {name}."))
    await show(callback, text, keyboard)
    await callback.answer()


@routes.message(NoteFlow.call_note, F.text)
async def save_call_with_note(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await state.get_data()
    client_id, outcome = int(data.get("client_id", 0)), str(data.get("outcome", ""))
    try:
        event = await crm.timeline.call(member, client_id, outcome, message.text)
        client = await crm.clients.visible(member, client_id)
    except CrmError as error:
        await message.answer(error_text(error))
        if error.code != "too_long":
            await state.clear()
        return
    await state.clear()
    text, keyboard = note_ack(event, client.name, _("Call logged for {name}."))
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)


@routes.callback_query(ClientCb.filter(F.action == "undo"))
async def undo(callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User) -> None:
    try:
        if not callback_data.value.isdigit():
            raise CrmError("not_found")
        await crm.timeline.undo_comment(member, int(callback_data.value))
    except CrmError as error:
        await callback.answer(error_text(error), show_alert=True)
        return
    await show(callback, Text(_("Removed from the card.")), None)
    await callback.answer()


# --- while a card is open -------------------------------------------------------------------


@routes.message(StateFilter(None), F.text, ~F.text.startswith("/"), F.chat.type == "private")
async def plain_text(message: Message, crm: Crm, member: User) -> None:
    """Text after opening a card is a note on it; otherwise it is a search."""
    text = message.text or ""
    client_id = crm.timeline.open_client_id(member, crm.config.card_context)
    if client_id is None:
        await search_and_answer(message, crm, member, text)
        return
    try:
        event = await crm.timeline.comment(member, client_id, text)
        client = await crm.clients.visible(member, client_id)
    except CrmError as error:
        await message.answer(error_text(error))
        return
    reply, keyboard = note_ack(event, client.name, _("Comment added to {name}."))
    await message.answer(**reply.as_kwargs(), reply_markup=keyboard)


MEDIA = F.photo | F.voice | F.document | F.video | F.audio | F.video_note


@routes.message(StateFilter(None), MEDIA, F.chat.type == "private")
async def media(message: Message, crm: Crm, member: User) -> None:
    client_id = crm.timeline.open_client_id(member, crm.config.card_context)
    if client_id is None:
        await message.answer(
            _("Open a client's card first; then what you send goes into its history.")
        )
        return
    kind, file_id, file_name = _file_of(message)
    try:
        event = await crm.timeline.attach(
            member, client_id, kind, file_id, file_name, message.caption
        )
        client = await crm.clients.visible(member, client_id)
    except CrmError as error:
        await message.answer(error_text(error))
        return
    reply, keyboard = note_ack(event, client.name, _("Added to the history of {name}."))
    await message.answer(**reply.as_kwargs(), reply_markup=keyboard)


def _file_of(message: Message) -> tuple[FileKind, str, str | None]:
    if message.photo:
        return "photo", message.photo[-1].file_id, None
    if message.voice:
        return "voice", message.voice.file_id, None
    if message.video:
        return "video", message.video.file_id, message.video.file_name
    if message.audio:
        return "audio", message.audio.file_id, message.audio.file_name
    if message.video_note:
        return "video_note", message.video_note.file_id, None
    assert message.document is not None
    return "document", message.document.file_id, message.document.file_name
