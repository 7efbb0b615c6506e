"""/records: the team's record types, a type's list, a record's card; create, rename,
archive, restore, delete (owner)."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.cards import CardKind
from crm.errors import Conflict, ErrorCode, NotFound
from crm.record_queries import EVENTS_PER_PAGE, RecordFilter
from crm.record_types import STARTER_CODES
from crm.records import clean_title
from crm.service import Crm
from crm.team_settings import can_change_settings
from handlers.kit.alerts import alert
from handlers.kit.dialogs import data_lost
from handlers.kit.keyboards import cancel_to
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.records import record_views
from handlers.records.callbacks import Ent, EntCb
from handlers.records.common import put, ref_of
from handlers.records.states import EntFlow, RecordComment, RecordDraft
from handlers.records.views import button, cb, no_back, required_question
from storage.models import User

routes = Routes(__name__)
TITLE_AGAIN = {ErrorCode.EMPTY, ErrorCode.TOO_LONG}


async def types_of(crm: Crm, member: User) -> tuple[Text, InlineKeyboardMarkup]:
    owner = can_change_settings(member)
    starters = await crm.record_types.starters_offered() if owner else []
    return record_views.types_screen(await crm.record_types.all(), starters, owner, member.language)


async def record_of(
    crm: Crm, member: User, record_id: int, first: int = 0
) -> tuple[Text, InlineKeyboardMarkup]:
    card = await crm.record_queries.card(member, record_id, first)
    # The open card: a file sent next goes into its history (remembered once it is out).
    await crm.timeline.open_card(member, None, record_id=card.record.id)
    return record_views.record_screen(card, member, ZoneInfo(member.timezone), card.types)


@routes.message(Command("records"))
async def records_command(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    await state.clear()
    await put(message, await types_of(crm, member))


@routes.callback_query(EntCb.filter(F.action == Ent.TYPES))
async def open_types(callback: CallbackQuery, crm: Crm, member: User, state: FSMContext) -> None:
    await state.clear()
    await put(callback, await types_of(crm, member))


@routes.callback_query(EntCb.filter(F.action.in_({Ent.STARTER, Ent.SKIP_STARTER})))
async def starter(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    if not 0 <= callback_data.item < len(STARTER_CODES):
        await alert(callback, _("This button is no longer active."))
        return
    code = STARTER_CODES[callback_data.item]
    if callback_data.action == Ent.STARTER:
        await crm.record_types.take_starter(member, code)
    else:
        await crm.record_types.skip_starter(member, code)
    await put(callback, await types_of(crm, member))


@routes.callback_query(EntCb.filter(F.action == Ent.LIST))
async def open_list(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    await state.clear()
    archived = callback_data.item == 1
    record_type = await crm.record_types.get(callback_data.type_id)
    page = await crm.record_queries.page(
        member,
        record_type.id,
        RecordFilter(archived=archived),
        callback_data.page,
        record_views.PER_PAGE,
    )
    await put(callback, record_views.list_screen(record_type, page, archived))


@routes.callback_query(EntCb.filter(F.action == Ent.RECORD))
async def open_record(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    await state.clear()
    ref = ref_of(callback_data)
    if ref.kind != CardKind.RECORD:
        raise NotFound()
    if callback_data.item == record_views.RENAME:
        record = await crm.records.visible(member, ref.id)
        await state.set_state(EntFlow.record_title)
        await RecordDraft(rename=record.id).save(state)
        rows = [[cancel_to(cb(Ent.RECORD, ref))]]
        await put(
            callback,
            (Text(_("Send the new name.")), InlineKeyboardMarkup(inline_keyboard=rows)),
        )
        return
    first = callback_data.page  # an older message's buttons name a page of events
    if callback_data.item != record_views.FROM_EVENT:
        first *= EVENTS_PER_PAGE
    await put(callback, await record_of(crm, member, ref.id, first))


@routes.callback_query(EntCb.filter(F.action == Ent.COMMENT))
async def ask_comment(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    ref = ref_of(callback_data)
    record = await crm.records.visible(member, ref.id)
    await state.set_state(EntFlow.record_comment)
    await RecordComment(record=record.id).save(state)
    rows = [[cancel_to(cb(Ent.RECORD, ref))]]
    text = Text(_("Write the comment on “{name}”.").format(name=record.title))
    await put(callback, (text, InlineKeyboardMarkup(inline_keyboard=rows)))


@routes.message(EntFlow.record_comment, F.text)
async def typed_comment(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    record_id = (await RecordComment.load(state)).record
    if not record_id:
        await data_lost(state)
    # An empty or too long comment is asked again; the record gone ends the dialog.
    async with keep_asking(state, again=TITLE_AGAIN, forget=True):
        await crm.records.comment(member, record_id, message.text or "")
    await state.clear()
    await put(message, await record_of(crm, member, record_id))


@routes.callback_query(EntCb.filter(F.action == Ent.NEW_RECORD))
async def new_record(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    record_type = await crm.record_types.get(callback_data.type_id)
    if record_type.archived_at is not None:  # an old list's button: no name asked in vain
        raise Conflict(ErrorCode.RECORD_TYPE_ARCHIVED)
    await state.set_state(EntFlow.record_title)
    await RecordDraft(type_id=record_type.id).save(state)  # no rename of before
    rows = [[cancel_to(cb(Ent.LIST, type_id=record_type.id))]]
    text = _("New {name}: send its name.").format(name=record_type.singular)
    await put(callback, (Text(text), InlineKeyboardMarkup(inline_keyboard=rows)))


@routes.message(EntFlow.record_title, F.text)
async def typed_title(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    draft = await RecordDraft.load(state)
    # A name too long or empty is asked again; the record or its type gone (archived)
    # meanwhile ends the dialog: else each message after was refused the same way.
    async with keep_asking(state, again=TITLE_AGAIN, forget=True):
        if draft.rename:
            record = await crm.records.rename(member, draft.rename, message.text or "")
            await state.clear()
            await put(message, await record_of(crm, member, record.id))
            return
        # refused now (too long, empty), not after the required fields are asked
        draft = replace(draft, title=clean_title(message.text or ""))
        await draft.save(state)
        await _next_required(message, crm, member, state, draft)


@routes.message(EntFlow.record_value, F.text)
async def typed_required(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    draft = await RecordDraft.load(state)
    try:
        field = await crm.fields.get(draft.asking)
    except NotFound:  # deleted meanwhile: nothing to fill, the next one is asked
        await _next_required(message, crm, member, state, draft)
        return
    # A wrong value is asked again.
    async with keep_asking(state, again={ErrorCode.BAD_FIELD_VALUE}, forget=True):
        crm.field_values.parse(field, message.text or "")
    draft = replace(draft, values={**draft.values, str(field.id): message.text or ""})
    await draft.save(state)
    await _next_required(message, crm, member, state, draft)


async def _next_required(
    message: Message, crm: Crm, member: User, state: FSMContext, draft: RecordDraft
) -> None:
    """Ask the next required field in the same dialog, or create the record. A value of a
    field the owner deleted since it was typed is dropped, not a reason to lose the rest."""
    if not draft.type_id or not draft.title:  # lost (a stale dialog): nothing to make
        await data_lost(state)
    fields = await crm.fields.of(CardKind.RECORD, draft.type_id)
    ids = {f.id for f in fields}
    values = {int(k): v for k, v in draft.values.items() if k.isdigit() and int(k) in ids}
    missing = [f for f in fields if f.required and f.id not in values]
    if missing:
        await state.set_state(EntFlow.record_value)
        await replace(draft, asking=missing[0].id).save(state)
        await message.answer(required_question(missing[0]))
        return
    async with keep_asking(state, again=(), forget=True):  # refused: the dialog ends
        record = await crm.records.create(member, draft.type_id, draft.title, values)
    await state.clear()
    await put(message, await record_of(crm, member, record.id))


@routes.callback_query(EntCb.filter(F.action.in_({Ent.ARCHIVE, Ent.RESTORE})))
async def archive(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    ref = ref_of(callback_data)
    await crm.records.set_archived(member, ref.id, callback_data.action == Ent.ARCHIVE)
    await put(callback, await record_of(crm, member, ref.id))


@routes.callback_query(EntCb.filter(F.action == Ent.DELETE))
async def ask_delete(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    ref = ref_of(callback_data)
    record = await crm.records.visible(member, ref.id)
    # asked as a client's or a deal's deletion is: a confirmation, no question (its "✖️ Cancel")
    rows = [[button(_("🗑 Yes, delete"), cb(Ent.DELETE_YES, ref)), no_back(cb(Ent.RECORD, ref))]]
    tasks = await crm.records.open_tasks(member, record.id)
    text = _("Delete “{title}” with its fields and links? This cannot be undone.")
    if tasks:  # they go with it, as a client's tasks go with the client
        text = ngettext(
            "Delete “{title}” with its fields, links and its {tasks} open task? "
            "This cannot be undone.",
            "Delete “{title}” with its fields, links and its {tasks} open tasks? "
            "This cannot be undone.",
            tasks,
        )
    text = text.format(title=record.title, tasks=tasks)
    await put(callback, (Text(text), InlineKeyboardMarkup(inline_keyboard=rows)))


@routes.callback_query(EntCb.filter(F.action == Ent.DELETE_YES))
async def delete(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    ref = ref_of(callback_data)
    record = await crm.records.visible(member, ref.id)
    type_id = record.type_id
    await crm.records.delete(member, ref.id)
    record_type = await crm.record_types.get(type_id)
    page = await crm.record_queries.page(member, type_id, RecordFilter(), 0, record_views.PER_PAGE)
    await put(callback, record_views.list_screen(record_type, page, False))
