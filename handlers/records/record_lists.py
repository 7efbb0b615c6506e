"""A record type's list filtered by its custom fields: the fields, one field's choices,
a typed range. As in /deals, the chosen filters travel in the buttons (``RecordListCb.f``);
a choice button is the list with the choice applied; a range is typed, so the filters it
adds to wait in the dialog's data. Everything a press names is checked again."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import ErrorCode, InvalidInput
from crm.field_filters import FieldFilter
from crm.parsing.fields import FILTER_TYPES
from crm.parsing.search_text import shows
from crm.record_queries import RecordFilter
from crm.service import Crm
from handlers.imports.callbacks import ExportCb, ExportWhat
from handlers.kit import field_filters as ff
from handlers.kit.dialogs import DialogData, data_lost
from handlers.kit.keyboards import cancel_to
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.records import record_views
from handlers.records.callbacks import Ent, EntCb, RecList, RecordListCb
from handlers.records.common import put
from handlers.records.states import EntFlow, RecordSearch
from handlers.records.views import button
from storage.models import FieldDef, User

routes = Routes(__name__)
Screen = tuple[Text, InlineKeyboardMarkup]
SEARCH_SHOWN = 20  # records found by name, one button each


@dataclass(frozen=True)
class RangeData(DialogData):
    """A range being typed for a record list's field filter, over the packed ``f``."""

    range_type: int = 0
    range_field: int = 0
    range_archived: bool = False
    range_f: str = ""


def _cb(data: RecordListCb, action: RecList, **changes: object) -> str:
    return data.model_copy(update={"action": action, **changes}).pack()


def with_filter(filters: tuple[FieldFilter, ...], field_id: int, new: FieldFilter | None) -> str:
    """The packed filters with this field's replaced; refused when they no longer fit."""
    packed = ff.pack(ff.with_filter(filters, field_id, new))
    widest = RecordListCb(action=RecList.SHOW, type_id=10**9, page=10**4, archived=True, f=packed)
    export = ExportCb(
        what=ExportWhat.RECORDS, from_list=True, type_id=10**9, archived=True, f=packed
    )
    try:  # aiogram refuses to pack more than Telegram keeps
        widest.pack()
        export.pack()
    except ValueError:
        raise InvalidInput(ErrorCode.TOO_MANY_FILTERS) from None
    return packed


async def record_field(crm: Crm, type_id: int, field_id: int) -> FieldDef:
    """A field of this record type that can filter; anything else is a stale press."""
    field = await crm.fields.get(field_id)
    if (
        field.kind != CardKind.RECORD.value
        or field.record_type_id != type_id
        or field.type not in FILTER_TYPES
    ):
        raise InvalidInput(ErrorCode.BAD_CARD)
    return field


async def list_screen(
    crm: Crm, member: User, type_id: int, archived: bool, packed: str, page: int
) -> Screen:
    record_type = await crm.record_types.get(type_id)
    kept, chosen = await ff.pruned(crm, CardKind.RECORD, ff.unpack(packed), record_type.id)
    found = await crm.record_queries.page(
        member,
        record_type.id,
        RecordFilter(archived=archived, fields=kept),
        page,
        record_views.PER_PAGE,
    )
    return record_views.list_screen(record_type, found, archived, chosen, ff.pack(kept), len(kept))


async def fields_screen(crm: Crm, data: RecordListCb) -> Screen:
    record_type = await crm.record_types.get(data.type_id)
    fields = ff.filterable(await crm.fields.of(CardKind.RECORD, record_type.id))
    filters = ff.unpack(data.f)
    by_field = {item.field_id: item for item in filters}
    rows = []
    for field in fields:
        item = by_field.get(field.id)
        label = field.name
        if item is not None:
            label = f"✅ {field.name}: {ff.value_words(field, item, crm.config.currency)}"
        action = RecList.RANGE if ff.is_typed(field) else RecList.FIELD
        rows.append([button(label[:64], _cb(data, action, field_id=field.id, page=0))])
    if filters:
        rows.append([button(_("✖️ Clear field filters"), _cb(data, RecList.SHOW, f="", page=0))])
    rows.append([button(_("◀️ Back to the list"), _cb(data, RecList.SHOW))])
    if fields:
        title = _("Filter the {plural} by a field:").format(plural=record_type.plural)
    else:
        title = _(
            "No field of this type can filter yet: the owner adds fields of a list, yes/no, "
            "number, money or date type in /settings."
        )
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


def choices_screen(field: FieldDef, data: RecordListCb) -> Screen:
    filters = ff.unpack(data.f)
    item = next((i for i in filters if i.field_id == field.id), None)
    buttons = []
    for text, code in ff.choices(field):
        new = ff.chosen(field, code)
        packed = with_filter(filters, field.id, new)
        mark = "✅ " if new == item else ""
        buttons.append(button(mark + text, _cb(data, RecList.SHOW, f=packed, page=0)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    any_value = with_filter(filters, field.id, None)
    rows.append([button(_("Any"), _cb(data, RecList.SHOW, f=any_value, page=0))])
    rows.append([button(_("◀️ Fields"), _cb(data, RecList.FIELDS))])
    title = _("Show the cards whose “{name}” is:").format(name=field.name)
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


@routes.callback_query(RecordListCb.filter())
async def list_press(
    callback: CallbackQuery,
    callback_data: RecordListCb,
    crm: Crm,
    member: User,
    state: FSMContext,
) -> None:
    data = callback_data
    if await state.get_state() == EntFlow.record_range.state:
        await state.clear()
    if data.action is RecList.SHOW:
        screen = await list_screen(crm, member, data.type_id, data.archived, data.f, data.page)
        await put(callback, screen)
        return
    if data.action is RecList.FIELDS:
        await put(callback, await fields_screen(crm, data))
        return
    field = await record_field(crm, data.type_id, data.field_id)
    if data.action is RecList.FIELD and not ff.is_typed(field):
        await put(callback, choices_screen(field, data))
        return
    if data.action is not RecList.RANGE or not ff.is_typed(field):
        raise InvalidInput(ErrorCode.BAD_CARD)
    await state.set_state(EntFlow.record_range)
    await RangeData(
        range_type=data.type_id, range_field=field.id, range_archived=data.archived, range_f=data.f
    ).save(state)
    any_value = with_filter(ff.unpack(data.f), field.id, None)
    rows = [
        [button(_("Any"), _cb(data, RecList.SHOW, f=any_value, page=0))],
        [button(_("◀️ Fields"), _cb(data, RecList.FIELDS))],
    ]
    await put(callback, (Text(ff.typed_help(field)), InlineKeyboardMarkup(inline_keyboard=rows)))


@routes.message(EntFlow.record_range, F.text, ~F.text.startswith("/"))
async def typed_range(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """The typed range; one that cannot be read is refused and stays asked."""
    asked = await RangeData.load(state)
    async with keep_asking(state, again={ErrorCode.BAD_FIELD_VALUE}, forget=True):
        field = await record_field(crm, asked.range_type, asked.range_field)  # gone: it ends
        new = ff.typed_filter(field, message.text or "")
        packed = with_filter(ff.unpack(asked.range_f), field.id, new)
    await state.clear()
    screen = await list_screen(crm, member, asked.range_type, asked.range_archived, packed, 0)
    await put(message, screen)


@routes.callback_query(EntCb.filter(F.action == Ent.SEARCH))
async def ask_search(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, state: FSMContext
) -> None:
    record_type = await crm.record_types.get(callback_data.type_id)
    archived = callback_data.item == 1
    await state.set_state(EntFlow.record_search)
    await RecordSearch(record_type.id, archived).save(state)
    await put(callback, search_question(record_type.id, archived))


def search_question(type_id: int, archived: bool) -> Screen:
    rows = [[cancel_to(record_views.list_cb(type_id, archived, ""))]]
    text = Text(_("Send a few letters of the name to find the card."))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


@routes.message(EntFlow.record_search, F.text, ~F.text.startswith("/"))
async def typed_search(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """Records of the type found by the typed letters; the next text searches again."""
    data = await RecordSearch.load(state)
    type_id, archived, query = data.type_id, data.archived, message.text or ""
    if not type_id:
        await data_lost(state)
    if not shows(query):  # nothing to look for: the question again
        await put(message, search_question(type_id, archived))
        return
    # too long: asked again; the type gone: the search ends
    async with keep_asking(state, again={ErrorCode.TOO_LONG}, forget=True):
        record_type = await crm.record_types.get(type_id)
        found = await crm.record_queries.page(
            member, type_id, RecordFilter(archived=archived, search=query), 0, SEARCH_SHOWN
        )
    await put(message, record_views.search_screen(record_type, found, archived, query))
