"""/deals filtered by custom deal fields: the fields, one field's choices, a typed range.

Like the other /deals filters, the chosen field filters travel in the buttons
(``DealsCb.f``, packed by ``handlers.kit.field_filters``); a choice button is the
overview with the choice applied. Callback data holds at most 64 bytes, so a filter
that would not fit is refused with words. A range is typed, so the filters it adds
to wait in the dialog's data.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.deal_queries import DealFilter
from crm.errors import ErrorCode, InvalidInput
from crm.exports.files import Format
from crm.field_filters import FieldFilter
from crm.parsing.fields import FILTER_TYPES
from crm.service import Crm
from handlers.deals.callbacks import DealFieldsAction, DealFieldsCb, DealsAction, DealsCb
from handlers.deals.list_states import DealsListFlow, FieldRange
from handlers.deals.overview import cb, overview_screen, pack_filters, parse_filters
from handlers.imports.callbacks import ExportAction, ExportCb, ExportWhat
from handlers.kit import field_filters as ff
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from storage.models import FieldDef, User

routes = Routes(__name__)


def fits(filters: DealFilter) -> bool:
    """Whether every /deals button (the export's too) can still carry these filters."""
    packed = pack_filters(filters)
    try:  # aiogram refuses to pack more than Telegram keeps
        DealsCb(action=DealsAction.STAGE, stage_id=10**9, page=10**4, f=packed).pack()
        ExportCb(
            what=ExportWhat.DEALS,
            action=ExportAction.FILE,
            fmt=Format.XLSX,
            from_list=True,
            f=packed,
        ).pack()
    except ValueError:  # pydantic's ValidationError is one too
        return False
    return True


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text[:64], callback_data=data)


def _with(filters: DealFilter, field_id: int, new: FieldFilter | None) -> DealFilter:
    chosen = replace(filters, fields=ff.with_filter(filters.fields, field_id, new))
    if not fits(chosen):
        raise InvalidInput(ErrorCode.TOO_MANY_FILTERS)
    return chosen


async def deal_field(crm: Crm, field_id: int) -> FieldDef:
    """A deal field that can filter; anything else is a press that no longer means anything."""
    field = await crm.fields.get(field_id)
    if field.kind != CardKind.DEAL.value or field.type not in FILTER_TYPES:
        raise InvalidInput(ErrorCode.BAD_CARD)
    return field


async def _fields(crm: Crm, filters: DealFilter) -> tuple[Text, InlineKeyboardMarkup]:
    fields = ff.filterable(await crm.fields.of(CardKind.DEAL))
    packed = pack_filters(filters)
    by_field = {item.field_id: item for item in filters.fields}
    rows = []
    for field in fields:
        item = by_field.get(field.id)
        label = field.name
        if item is not None:
            label = f"✅ {field.name}: {ff.value_words(field, item, crm.config.currency)}"
        action = DealFieldsAction.RANGE if ff.is_typed(field) else DealFieldsAction.FIELD
        rows.append(
            [_button(label, DealFieldsCb(action=action, field_id=field.id, f=packed).pack())]
        )
    if filters.fields:
        cleared = replace(filters, fields=())
        rows.append([_button(_("✖️ Clear field filters"), cb(DealsAction.SHOW, cleared))])
    rows.append([_button(_("◀️ Back to the overview"), cb(DealsAction.SHOW, filters))])
    if fields:
        title = _("Filter the deals by a field:")
    else:
        title = _(
            "No deal field can filter yet: the owner adds fields of a list, yes/no, "
            "number, money or date type in /settings."
        )
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


async def _choices(
    crm: Crm, filters: DealFilter, field: FieldDef
) -> tuple[Text, InlineKeyboardMarkup]:
    item = next((i for i in filters.fields if i.field_id == field.id), None)
    buttons = []
    for text, code in ff.choices(field):
        new = ff.chosen(field, code)
        mark = "✅ " if new == item else ""
        buttons.append(_button(mark + text, cb(DealsAction.SHOW, _with(filters, field.id, new))))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_button(_("Any"), cb(DealsAction.SHOW, _with(filters, field.id, None)))])
    back = DealFieldsCb(action=DealFieldsAction.FIELDS, f=pack_filters(filters)).pack()
    rows.append([_button(_("◀️ Fields"), back)])
    title = _("Show the deals whose “{name}” is:").format(name=field.name)
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


@routes.callback_query(DealFieldsCb.filter())
async def fields_press(
    callback: CallbackQuery,
    callback_data: DealFieldsCb,
    crm: Crm,
    member: User,
    state: FSMContext,
) -> None:
    filters = parse_filters(callback_data.f)
    if await state.get_state() == DealsListFlow.field_range.state:
        await state.clear()
    if callback_data.action is DealFieldsAction.FIELDS:
        await show(callback, *await _fields(crm, filters))
        return
    field = await deal_field(crm, callback_data.field_id)
    if callback_data.action is DealFieldsAction.FIELD and not ff.is_typed(field):
        await show(callback, *await _choices(crm, filters, field))
        return
    if callback_data.action is not DealFieldsAction.RANGE or not ff.is_typed(field):
        raise InvalidInput(ErrorCode.BAD_CARD)
    await state.set_state(DealsListFlow.field_range)
    await FieldRange(field_id=field.id, f=callback_data.f).save(state)
    rows = [
        [_button(_("Any"), cb(DealsAction.SHOW, _with(filters, field.id, None)))],
        [
            _button(
                _("◀️ Fields"),
                DealFieldsCb(action=DealFieldsAction.FIELDS, f=callback_data.f).pack(),
            )
        ],
    ]
    await show(callback, Text(ff.typed_help(field)), InlineKeyboardMarkup(inline_keyboard=rows))


@routes.message(DealsListFlow.field_range, F.text, ~F.text.startswith("/"))
async def typed_range(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    """The typed range; one that cannot be read is refused and stays asked."""
    asked = await FieldRange.load(state)
    async with keep_asking(state, again={ErrorCode.BAD_FIELD_VALUE}, forget=True):
        field = await deal_field(crm, asked.field_id)  # gone meanwhile: the question ends
        new = ff.typed_filter(field, message.text or "")
        filters = _with(parse_filters(asked.f), field.id, new)
    await state.clear()
    text, keyboard = await overview_screen(crm, member, filters)
    await message.answer(**text.as_kwargs(), reply_markup=keyboard)
