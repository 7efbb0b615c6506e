"""Writing on a card: comments, calls, and whatever is sent while the card is open."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.backups import FILE_PREFIX
from crm.cards import CardKind
from crm.errors import ErrorCode
from crm.service import Crm
from crm.timeline import CALL_OUTCOMES
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.edit import CLEAR
from handlers.clients.states import NoteData, NoteFlow
from handlers.kit.alerts import alert
from handlers.kit.callbacks import UndoCb
from handlers.kit.event_labels import call_outcome_label
from handlers.kit.files import MEDIA, SentFile
from handlers.kit.keyboards import button, cancel_row, close_button, keyboard
from handlers.kit.refused import closes_card_when_gone, keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import send, show
from handlers.records import files as record_files
from storage.models import Event, User

routes = Routes(__name__)


def note_ack(event: Event, client_name: str, text: str) -> tuple[Text, InlineKeyboardMarkup]:
    """The acknowledgement of something added to a card, with Undo and a way back."""
    assert event.client_id is not None
    undo = UndoCb.of(event)
    card = ClientCb(action=CardAction.OPEN, client_id=event.client_id)
    row = [button(_("↩️ Undo"), undo), button(_("👤 Open card"), card)]
    return Text(text.format(name=client_name)), keyboard(row)


@routes.callback_query(ClientCb.filter(F.action == CardAction.COMMENT))
async def ask_comment(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    await state.set_state(NoteFlow.comment)
    await NoteData(client_id=client.id).save(state)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("Write the comment for {name}.").format(name=client.name),
            reply_markup=keyboard(cancel_row()),
        )


@routes.message(NoteFlow.comment, F.text)
async def save_comment(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    client_id = (await NoteData.load(state)).client_id
    # A refused text keeps the dialog open for a second try; any other refusal ends it.
    async with keep_asking(state, again={ErrorCode.EMPTY, ErrorCode.TOO_LONG}, forget=True):
        event = await crm.timeline.comment(member, client_id, message.text or "")
        client = await crm.clients.visible(member, client_id)
    await state.clear()
    await send(message, *note_ack(event, client.name, _("Comment added to {name}.")))


@routes.message(NoteFlow.comment)
async def comment_not_text(message: Message) -> None:
    await message.answer(_("Send the comment as text, or /cancel."))


@routes.callback_query(ClientCb.filter(F.action == CardAction.CALL))
async def ask_call_outcome(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    client = await crm.clients.visible(member, callback_data.client_id)
    outcomes = [
        button(
            call_outcome_label(outcome),
            ClientCb(action=CardAction.CALL_OUTCOME, client_id=client.id, code=outcome),
        )
        for outcome in CALL_OUTCOMES
    ]
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _("How did the call with {name} go?").format(name=client.name),
            reply_markup=keyboard(outcomes, [close_button()]),  # asked by no dialog
        )


@routes.callback_query(ClientCb.filter(F.action == CardAction.CALL_OUTCOME))
async def ask_call_note(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    outcome = callback_data.code
    if outcome not in CALL_OUTCOMES:
        await alert(callback, _("This button is no longer active."))
        return
    client = await crm.clients.visible(member, callback_data.client_id)
    await state.set_state(NoteFlow.call_note)
    await NoteData(client_id=client.id, outcome=outcome).save(state)
    save = ClientCb(action=CardAction.CALL_SAVE, client_id=client.id, code=outcome)
    text = Text(
        _("Call: {outcome}. What was said? Send a note, or save without one.").format(
            outcome=call_outcome_label(outcome)
        )
    )
    await show(callback, text, keyboard([button(_("Save without a note"), save)], cancel_row()))


@routes.callback_query(ClientCb.filter(F.action == CardAction.CALL_SAVE))
async def save_call_without_note(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User, state: FSMContext
) -> None:
    if await state.get_state() != NoteFlow.call_note.state:
        await alert(callback, _("This button is no longer active."))
        return
    pending = await NoteData.load(state)
    if (pending.client_id, pending.outcome) != (callback_data.client_id, callback_data.code):
        # An older call's button: the question open now is another call's, and stays open.
        await alert(callback, _("This button is from an earlier call; answer the last question."))
        return
    await state.clear()
    event = await crm.timeline.call(member, callback_data.client_id, callback_data.code, None)
    client = await crm.clients.visible(member, callback_data.client_id)
    await show(callback, *note_ack(event, client.name, _("Call logged for {name}.")))


@routes.message(NoteFlow.call_note, F.text)
async def save_call_with_note(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await NoteData.load(state)
    client_id, outcome = data.client_id, data.outcome
    # A note too long (or of nothing visible) keeps the dialog open for a second try; any
    # other refusal ends it.
    # "-" is "no note", as "Save without a note" (and "-" when editing the card) is
    note = None if (message.text or "").strip() in CLEAR else message.text
    async with keep_asking(state, again={ErrorCode.TOO_LONG, ErrorCode.EMPTY}, forget=True):
        event = await crm.timeline.call(member, client_id, outcome, note)
        client = await crm.clients.visible(member, client_id)
    await state.clear()
    await send(message, *note_ack(event, client.name, _("Call logged for {name}.")))


@routes.callback_query(UndoCb.filter(F.kind == CardKind.CLIENT))
async def undo(callback: CallbackQuery, callback_data: UndoCb, crm: Crm, member: User) -> None:
    """Take back what was just added, if it is still the event the button was made for."""
    data = callback_data
    await crm.timeline.undo_comment(member, data.ref, data.card, data.check)
    await show(callback, Text(_("Removed from the card.")), None)


@routes.callback_query(ClientCb.filter(F.action == CardAction.UNDO))
async def undo_older(
    callback: CallbackQuery, callback_data: ClientCb, crm: Crm, member: User
) -> None:
    """An older message's Undo (no check): the event it names, if it is on its card."""
    await crm.timeline.undo_comment(member, callback_data.ref, callback_data.client_id)
    await show(callback, Text(_("Removed from the card.")), None)


# --- while a card is open (text: handlers.opencard) ---------------------------------------------


def _a_backup(message: Message) -> bool:
    """A file named as /backup names its archives, sent back to restore the base."""
    name = (message.document.file_name or "") if message.document else ""
    return name.startswith(FILE_PREFIX) and name.endswith(".zip")


@routes.message(StateFilter(None), MEDIA, F.chat.type == "private")
async def media(message: Message, crm: Crm, member: User) -> None:
    if _a_backup(message):  # the whole base: never into a card's history, open or not
        await message.answer(
            _(
                "This looks like a Kartoteka backup. A backup is not restored through the "
                "chat: run python -m bot restore FILE on the server."
            )
        )
        return
    record_id = crm.timeline.open_record_id(member, crm.config.card_context)
    if record_id is not None:  # a record's card is open
        async with closes_card_when_gone(crm, member):
            await record_files.attach_sent(message, crm, member, record_id)
        return
    client_id = crm.timeline.open_client_id(member, crm.config.card_context)
    if client_id is None:
        await message.answer(
            _(
                "Open a card first (a client's, a deal's or a record's); then what you "
                "send goes into its history."
            )
        )
        return
    deal_id = crm.timeline.open_deal_id(member, crm.config.card_context)  # a deal's card open
    async with closes_card_when_gone(crm, member):
        await attach_to_client(message, crm, member, (client_id, deal_id), SentFile.of(message))


async def attach_to_client(
    target: Message | CallbackQuery,
    crm: Crm,
    member: User,
    card: tuple[int, int | None],
    file: SentFile,
) -> None:
    """``file`` onto the client's timeline (``card``: the client, and the deal whose card
    is open, if it is a deal's), said with Undo on ``target`` (the file's message, or the
    question asked about it)."""
    client_id, deal_id = card
    kind, file_id, name, caption = file.kind, file.file_id, file.file_name, file.caption
    event = await crm.timeline.attach(member, client_id, kind, file_id, name, caption, deal_id)
    name = (await crm.clients.visible(member, client_id)).name
    if deal_id is not None:
        name = (await crm.deals.visible(member, deal_id)).title
    ack = note_ack(event, name, _("Added to the history of {name}."))
    if isinstance(target, Message):
        await send(target, *ack)
    else:
        await show(target, *ack)
