"""The owner's /settings → Fields and record types: add, rename, order, require, delete."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.automation.parts import FIELD, RECORD_TYPE
from crm.cards import CardKind
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed
from crm.field_rules import clean_name, split_options
from crm.parsing.fields import LIST_TYPES
from crm.parsing.type_names import TypeNames, read_type_names
from crm.record_types import MAX_TYPE_NAME, MAX_TYPES, clean_emoji
from crm.service import Crm
from crm.team_settings import can_change_settings
from handlers.kit.dialogs import data_lost
from handlers.kit.keyboards import cancel_to
from handlers.kit.refused import ends_when
from handlers.kit.routes import Routes
from handlers.kit.rules_in_use import rules_in_use
from handlers.records import settings_views as sv
from handlers.records.callbacks import Ent, EntCb
from handlers.records.common import put
from handlers.records.states import KIND_CODES, EntFlow, NewField, TypePlural
from handlers.records.views import button, no_back
from storage.models import User

routes = Routes(__name__)
SETTINGS_ACTIONS = {
    Ent.SETTINGS,
    Ent.FIELD_LIST,
    Ent.ADD_FIELD,
    Ent.FIELD_TYPE,
    Ent.FIELD,
    Ent.FIELD_REQUIRED,
    Ent.FIELD_UP,
    Ent.FIELD_DELETE,
    Ent.FIELD_DELETE_YES,
    Ent.NEW_TYPE,
    Ent.TYPE_ARCHIVE,
    Ent.TYPE_DELETE,
    Ent.TYPE_DELETE_YES,
}
# What a settings dialog is about, deleted meanwhile: the dialog ends (``ends_when``).
GONE = {
    ErrorCode.FIELD_GONE,
    ErrorCode.OPTION_GONE,
    ErrorCode.RECORD_TYPE_GONE,
    ErrorCode.NOT_A_LIST_FIELD,
}


def kind_of(data: EntCb | NewField) -> tuple[CardKind, int | None]:
    if data.kind not in KIND_CODES:
        raise InvalidInput(ErrorCode.BAD_CARD)
    return CardKind(data.kind), (data.type_id or None) if data.kind == "record" else None


async def list_of(
    crm: Crm, kind: CardKind, type_id: int | None
) -> tuple[Text, InlineKeyboardMarkup]:
    record_type = await crm.record_types.get(type_id) if type_id else None
    return sv.field_list_screen(kind.value, record_type, await crm.fields.of(kind, type_id))


@routes.callback_query(EntCb.filter(F.action.in_(SETTINGS_ACTIONS)))
async def settings_press(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    """Every owner's press of this screen; re-checks the role, as callback data is untrusted."""
    if not can_change_settings(member):
        raise NotAllowed()
    await _press(callback, callback_data, crm, member, state)


async def _press(
    callback: CallbackQuery, data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    action = data.action
    if action == Ent.SETTINGS:
        await state.clear()
        await put(callback, sv.kinds_screen(await crm.record_types.all(include_archived=True)))
        return
    if action == Ent.NEW_TYPE:
        if len(await crm.record_types.all(include_archived=True)) >= MAX_TYPES:  # said now
            raise InvalidInput(ErrorCode.TOO_MANY_TYPES, limit=MAX_TYPES)
        await state.set_state(EntFlow.type_names)
        rows = [[cancel_to(sv.scb(Ent.SETTINGS))]]
        text = _(
            "Send the name in the singular and the plural, with an emoji if you like: "
            "🏭 Supplier / Suppliers. The singular alone is enough too: then the plural "
            "is asked."
        )
        await put(callback, (Text(text), InlineKeyboardMarkup(inline_keyboard=rows)))
        return
    kind, type_id = kind_of(data)
    if action == Ent.FIELD_LIST:
        await state.clear()
        await put(callback, await list_of(crm, kind, type_id))
    elif action == Ent.ADD_FIELD:
        await state.set_state(EntFlow.field_name)
        await NewField(kind=kind.value, type_id=type_id or 0).save(state)  # no name yet
        rows = [[cancel_to(sv.scb(Ent.FIELD_LIST, kind.value, type_id or 0))]]
        await put(
            callback,
            (Text(_("Send the new field's name.")), InlineKeyboardMarkup(inline_keyboard=rows)),
        )
    elif action == Ent.FIELD_TYPE:
        flow = await NewField.load(state)
        if await state.get_state() != EntFlow.field_name.state or not flow.name:
            raise InvalidInput(ErrorCode.BAD_CARD)
        if (flow.kind, flow.type_id) != (kind.value, type_id or 0):  # another field's screen
            raise InvalidInput(ErrorCode.BAD_CARD)
        if not 0 <= data.item < len(sv.FIELD_TYPES):
            raise InvalidInput(ErrorCode.BAD_CARD)
        type_ = sv.FIELD_TYPES[data.item]
        if type_ in LIST_TYPES:
            await state.set_state(EntFlow.field_options)
            await replace(flow, type=type_).save(state)
            rows = [[cancel_to(sv.scb(Ent.FIELD_LIST, kind.value, type_id or 0))]]
            text = _(
                "Send the options, separated by commas, semicolons or new lines: "
                "wholesale, retail; dealer"
            )
            await put(callback, (Text(text), InlineKeyboardMarkup(inline_keyboard=rows)))
            return
        field = await crm.fields.define(member, kind, flow.name, type_, record_type_id=type_id)
        await state.clear()
        await put(callback, sv.field_screen(field))
    elif action == Ent.FIELD:
        await put(callback, sv.field_screen(await crm.fields.get(data.item)))
    elif action == Ent.FIELD_REQUIRED:
        field = await crm.fields.get(data.item)
        wanted = {sv.REQUIRED: True, sv.OPTIONAL: False}.get(data.page, not field.required)
        await put(
            callback, sv.field_screen(await crm.fields.set_required(member, field.id, wanted))
        )
    elif action == Ent.FIELD_UP:
        await crm.fields.move(member, data.item, -1)
        await put(callback, await list_of(crm, kind, type_id))
    elif action == Ent.FIELD_DELETE:
        field = await crm.fields.get(data.item)
        held = await crm.fields.holders(field.id)
        text = _(
            "Delete the field “{name}”? {count} cards hold a value; the values go, "
            "the history stays."
        ).format(name=field.name, count=held)
        warning = rules_in_use(await crm.automation.using(member, FIELD, field.id))
        text = "\n".join(filter(None, (text, warning)))
        rows = [
            [
                button(
                    _("🗑 Delete"), sv.scb(Ent.FIELD_DELETE_YES, kind.value, type_id or 0, field.id)
                ),
                no_back(sv.scb(Ent.FIELD, kind.value, type_id or 0, field.id)),
            ]
        ]
        await put(callback, (Text(text), InlineKeyboardMarkup(inline_keyboard=rows)))
    elif action == Ent.FIELD_DELETE_YES:
        await crm.fields.delete(member, data.item)
        await put(callback, await list_of(crm, kind, type_id))
    elif action == Ent.TYPE_ARCHIVE:  # no type (a client's or deal's fields): "gone"
        await crm.record_types.set_archived(member, type_id or 0, data.item == 1)
        await put(callback, await list_of(crm, kind, type_id))
    elif action == Ent.TYPE_DELETE:
        await put(callback, await delete_type_question(crm, member, type_id or 0))
    elif action == Ent.TYPE_DELETE_YES:
        await crm.record_types.delete(member, type_id or 0)
        await put(callback, sv.kinds_screen(await crm.record_types.all(include_archived=True)))


async def delete_type_question(
    crm: Crm, member: User, type_id: int
) -> tuple[Text, InlineKeyboardMarkup]:
    """Asked before a type goes: one with records is refused now (archive it instead), not
    after the question; the rules that watch it are named (a rule uses no record's field)."""
    record_type = await crm.record_types.get(type_id)
    count = await crm.record_types.count_records(type_id)
    if count:
        raise Conflict(ErrorCode.TYPE_HAS_RECORDS, count=count)
    fields = await crm.fields.of(CardKind.RECORD, type_id)
    rules = await crm.automation.using(member, RECORD_TYPE, type_id)
    return sv.delete_type_prompt(record_type, len(fields), rules_in_use(rules))


@routes.message(EntFlow.field_name, F.text)
async def typed_field_name(message: Message, crm: Crm, state: FSMContext) -> None:
    flow = await NewField.load(state)
    if flow.kind not in KIND_CODES:
        await data_lost(state)
    kind, type_id = kind_of(flow)
    # refused now (too long, empty, taken), not after the type and the options are asked
    async with ends_when(state, GONE):
        name = await crm.fields.new_name(kind, message.text or "", type_id)
    await replace(flow, name=name).save(state)
    await put(message, sv.field_types_screen(flow.kind, flow.type_id))


@routes.message(EntFlow.field_options, F.text)
async def typed_options(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    flow = await NewField.load(state)
    if flow.kind not in KIND_CODES or not flow.name or flow.type not in LIST_TYPES:
        await data_lost(state)
    kind, type_id = kind_of(flow)
    options = split_options(message.text or "")
    async with ends_when(state, GONE):
        field = await crm.fields.define(
            member, kind, flow.name, flow.type, record_type_id=type_id, options=options
        )
    await state.clear()
    await put(message, sv.field_screen(field))


@routes.message(EntFlow.type_names, F.text)
async def typed_type_names(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    names = read_type_names(message.text or "")
    if names.alone:
        await ask_plural(message, crm, state, names)
        return
    await _create_type(message, crm, member, state, names.singular, names.plural, names.emoji)


async def ask_plural(
    message: Message, crm: Crm, state: FSMContext, names: TypeNames, type_id: int = 0
) -> None:
    """One name given ("Supplier"): the plural is asked, not made the same as the singular,
    for a new type (``type_id`` 0) or for the type ``type_id`` renamed."""
    singular = clean_name(names.singular, MAX_TYPE_NAME, "type_name")  # refused now
    await crm.record_types.check_names(singular, except_id=type_id or None)  # taken: now too
    if names.emoji is not None:
        clean_emoji(names.emoji)  # refused now too, not after the plural
    await state.clear()
    await state.set_state(EntFlow.type_plural)
    await TypePlural(singular=singular, emoji=names.emoji, type_id=type_id).save(state)
    text = _("“{name}”: what are they called in the plural? For example: Suppliers")
    back = sv.scb(Ent.FIELD_LIST, CardKind.RECORD.value, type_id) if type_id else None
    await put(message, sv.rename_prompt(text.format(name=singular), back or sv.scb(Ent.SETTINGS)))


@routes.message(EntFlow.type_plural, F.text)
async def typed_type_plural(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await TypePlural.load(state)
    if not data.singular:
        await data_lost(state)
    if not data.type_id:
        await _create_type(
            message, crm, member, state, data.singular, message.text or "", data.emoji
        )
        return
    async with ends_when(state, GONE):  # deleted meanwhile: refused once, the rename ends
        await crm.record_types.rename(
            member, data.type_id, data.singular, message.text or "", data.emoji
        )
    await state.clear()
    await put(message, await list_of(crm, CardKind.RECORD, data.type_id))


async def _create_type(
    message: Message,
    crm: Crm,
    member: User,
    state: FSMContext,
    singular: str,
    plural: str,
    emoji: str | None,
) -> None:
    record_type = await crm.record_types.create(member, singular, plural, emoji)
    await state.clear()
    await put(message, await list_of(crm, CardKind.RECORD, record_type.id))
