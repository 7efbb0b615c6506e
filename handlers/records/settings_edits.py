"""The owner's renames in /settings → Fields and record types: a field, a list field's
options (rename, add), a record type's names and its emoji. Values are kept: a card
holds a field's or an option's id, never its name."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.formatting import Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import Conflict, ErrorCode, InvalidInput, NotAllowed
from crm.field_rules import options_of, split_options
from crm.parsing.type_names import read_type_names
from crm.service import Crm
from crm.team_settings import can_change_settings
from handlers.kit.dialogs import data_lost
from handlers.kit.refused import ends_when
from handlers.kit.routes import Routes
from handlers.records import settings_views as sv
from handlers.records.callbacks import Ent, EntCb
from handlers.records.common import put
from handlers.records.settings import GONE, ask_plural, kind_of, list_of
from handlers.records.states import EntFlow, RenameData
from storage.models import FieldDef, User

routes = Routes(__name__)
RENAME_ACTIONS = {
    Ent.FIELD_RENAME,
    Ent.OPTIONS,
    Ent.OPTION_RENAME,
    Ent.OPTION_ADD,
    Ent.TYPE_RENAME,
    Ent.TYPE_EMOJI,
    Ent.OPTION_DELETE,
    Ent.OPTION_DELETE_YES,
}


@routes.callback_query(EntCb.filter(F.action.in_(RENAME_ACTIONS)))
async def rename_press(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    """Ask for the new name; every press re-checks the role and that the thing still exists."""
    if not can_change_settings(member):
        raise NotAllowed()
    data = callback_data
    kind, type_id = kind_of(data)
    if data.action in (Ent.TYPE_RENAME, Ent.TYPE_EMOJI):
        if type_id is None:
            raise InvalidInput(ErrorCode.BAD_CARD)
        record_type = await crm.record_types.get(type_id)
        back = sv.scb(Ent.FIELD_LIST, kind.value, type_id)
        if data.action == Ent.TYPE_RENAME:
            what = "type"
            text = _(
                "Send the new name in the singular and the plural, like Supplier / Suppliers, "
                "or the singular alone: then the plural is asked. Now: {singular} / {plural}."
            ).format(singular=record_type.singular, plural=record_type.plural)
        else:
            what = "emoji"
            text = _("Send one emoji for “{name}”. Now: {emoji}").format(
                name=record_type.plural, emoji=record_type.emoji
            )
        await _ask(state, RenameData(what=what, kind=kind.value, type_id=type_id))
        await put(callback, sv.rename_prompt(text, back))
        return
    field = await crm.fields.get(data.item)
    if field.kind != kind.value or (field.record_type_id or None) != type_id:
        raise InvalidInput(ErrorCode.BAD_CARD)
    base = RenameData(kind=kind.value, type_id=type_id or 0, field_id=field.id)
    back = sv.scb(Ent.FIELD, kind.value, type_id or 0, field.id)
    if data.action == Ent.FIELD_RENAME:
        text = _("Send the new name of the field “{name}”.").format(name=field.name)
        await _ask(state, _with(base, "field"))
        await put(callback, sv.rename_prompt(text, back))
        return
    if not options_of(field):
        raise InvalidInput(ErrorCode.NOT_A_LIST_FIELD)
    back = sv.scb(Ent.OPTIONS, kind.value, type_id or 0, field.id)
    if data.action == Ent.OPTIONS:
        await state.clear()
        await put(callback, sv.options_screen(field, data.page))
    elif data.action == Ent.OPTION_ADD:
        text = _(
            "Send the new option of “{name}”. Several may be sent separated by commas."
        ).format(name=field.name)
        await _ask(state, _with(base, "new_option"))
        await put(callback, sv.rename_prompt(text, back))
    elif data.action == Ent.OPTION_DELETE_YES:
        await state.clear()
        await put(callback, sv.options_screen(await remove_option(crm, member, field, data.page)))
    else:
        option = next((o for o in options_of(field) if o.id == data.page), None)
        if option is None:
            raise Conflict(ErrorCode.OPTION_GONE)
        if data.action == Ent.OPTION_DELETE:
            held = await crm.fields.option_holders(field.id, option.id)
            await put(callback, sv.remove_option_prompt(field, option, held))
            return
        text = _("Send the new name of the option “{name}”.").format(name=option.name)
        await _ask(state, _with(base, "option", option.id))
        await put(callback, sv.rename_prompt(text, back))


async def remove_option(crm: Crm, member: User, field: FieldDef, option_id: int) -> FieldDef:
    if option_id not in {o.id for o in options_of(field)}:
        raise Conflict(ErrorCode.OPTION_GONE)  # removed already (a second press)
    return await crm.fields.remove_option(member, field.id, option_id)


def _with(base: RenameData, what: str, option_id: int = 0) -> RenameData:
    return RenameData(
        what=what,
        kind=base.kind,
        type_id=base.type_id,
        field_id=base.field_id,
        option_id=option_id,
    )


async def _ask(state: FSMContext, data: RenameData) -> None:
    await state.clear()
    await state.set_state(EntFlow.renaming)
    await data.save(state)


@routes.message(EntFlow.renaming, F.text)
async def typed_rename(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """The new name; a refusal (a clash, too long, not an emoji) leaves the question open."""
    data = await RenameData.load(state)
    async with ends_when(state, GONE):  # deleted meanwhile: refused once, the rename ends
        await _rename(message, crm, member, state, data)


async def _rename(
    message: Message, crm: Crm, member: User, state: FSMContext, data: RenameData
) -> None:
    text = message.text or ""
    if data.what in ("type", "emoji") and not data.type_id:  # lost: else a new type was made
        await data_lost(state)
    if data.what == "type":
        names = read_type_names(text)  # "🏭 Поставщик / Поставщики", as when it was made
        if names.alone:  # "Поставщик": the plural asked, as when a type is made
            await ask_plural(message, crm, state, names, data.type_id)
            return
        await crm.record_types.rename(
            member, data.type_id, names.singular, names.plural, names.emoji
        )
        await state.clear()
        await put(message, await list_of(crm, CardKind.RECORD, data.type_id))
    elif data.what == "emoji":
        await crm.record_types.set_emoji(member, data.type_id, text)
        await state.clear()
        await put(message, await list_of(crm, CardKind.RECORD, data.type_id))
    elif data.what == "field":
        field = await crm.fields.rename(member, data.field_id, text)
        await state.clear()
        await put(message, sv.field_screen(field))
    elif data.what == "option":
        field = await crm.fields.rename_option(member, data.field_id, data.option_id, text)
        await state.clear()
        await put(message, sv.options_screen(field, near=data.option_id))
    elif data.what == "new_option":
        field = await crm.fields.add_option(member, data.field_id, text)
        await state.clear()
        added = options_of(field)[-(len(split_options(text)) or 1) :]
        screen, keyboard = sv.options_screen(field, near=added[-1].id)
        note = _("Added: {names}").format(names=", ".join(o.name for o in added))
        await put(message, (Text(as_line(note), screen), keyboard))
    else:  # the data was lost: nothing to rename ("That question is no longer open.")
        await data_lost(state)
