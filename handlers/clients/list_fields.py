"""The client list's filter by custom fields: the fields, one field's choices, a typed range.

What a press names is checked again: the field must still be a client field that can
filter, the option one of its options (``handlers.kit.field_filters``).
"""

from __future__ import annotations

from dataclasses import replace

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import CrmError, ErrorCode, InvalidInput
from crm.parsing.fields import FILTER_TYPES
from crm.service import Crm
from handlers.clients.callbacks import ListAction
from handlers.clients.filters import ListFilters
from handlers.clients.list_views import Rows, Screen, StaleButton, button, checked, pairs
from handlers.kit import field_filters as ff
from storage.models import FieldDef

FIELDS = "fields"  # the ASK code of the fields picker; a field's own is ``f<id>``


async def client_field(crm: Crm, field_id: int) -> FieldDef:
    """A client field that can filter, or StaleButton (deleted, another kind, or forged)."""
    try:
        field = await crm.fields.get(field_id)
    except CrmError:
        raise StaleButton() from None
    if field.kind != CardKind.CLIENT.value or field.type not in FILTER_TYPES:
        raise StaleButton()
    return field


def field_id_of(code: str) -> int:
    digits = code.removeprefix("f")
    if not digits.isdigit() or len(digits) > 9:
        raise StaleButton()
    return int(digits)


async def fields_picker(crm: Crm, filters: ListFilters, page: int) -> Screen:
    fields = ff.filterable(await crm.fields.of(CardKind.CLIENT))
    currency = crm.config.currency
    by_field = {item.field_id: item for item in filters.fields}
    rows: Rows = []
    for field in fields:
        item = by_field.get(field.id)
        label = field.name
        if item is not None:
            label = checked(f"{field.name}: {ff.value_words(field, item, currency)}", True)
        if ff.is_typed(field):
            rows.append([button(label, ListAction.FIELD_RANGE, page, str(field.id))])
        else:
            rows.append([button(label, ListAction.ASK, page, f"f{field.id}")])
    if fields:
        title = _("Filter the clients by a field:")
    else:
        title = _(
            "No client field can filter yet: the owner adds fields of a list, yes/no, "
            "number, money or date type in /settings."
        )
    if filters.fields:
        rows.append([button(_("✖️ Clear field filters"), ListAction.FIELDS_CLEAR)])
    rows.append([button(_("◀️ Filters"), ListAction.MENU, page)])
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


async def field_picker(crm: Crm, filters: ListFilters, code: str, page: int) -> Screen:
    """One list or yes/no field's choices."""
    field = await client_field(crm, field_id_of(code))
    if ff.is_typed(field):
        raise StaleButton()
    item = next((i for i in filters.fields if i.field_id == field.id), None)
    options = [
        button(
            checked(text, item is not None and ff.chosen(field, value) == item),
            ListAction.FIELD,
            0,
            f"{field.id}.{value}",
        )
        for text, value in ff.choices(field)
    ]
    rows: Rows = [*pairs(options), [button(_("Any"), ListAction.FIELD, 0, f"{field.id}.")]]
    rows.append([button(_("◀️ Fields"), ListAction.ASK, page, FIELDS)])
    title = _("Show the clients whose “{name}” is:").format(name=field.name)
    return Text(title), InlineKeyboardMarkup(inline_keyboard=rows)


async def range_prompt(crm: Crm, code: str, page: int) -> Screen:
    field = await client_field(crm, field_id_of(code))
    if not ff.is_typed(field):
        raise StaleButton()
    rows: Rows = [
        [button(_("Any"), ListAction.FIELD, 0, f"{field.id}.")],
        [button(_("◀️ Fields"), ListAction.ASK, page, FIELDS)],
    ]
    return Text(ff.typed_help(field)), InlineKeyboardMarkup(inline_keyboard=rows)


async def choose(crm: Crm, filters: ListFilters, code: str) -> ListFilters:
    """``<field id>.<choice>``; an empty choice: the field filters nothing."""
    raw_id, _sep, value = code.partition(".")
    field = await client_field(crm, field_id_of(raw_id))
    try:
        new = ff.chosen(field, value) if value else None
    except ff.StaleChoice:
        raise StaleButton() from None
    return replace(filters, fields=ff.with_filter(filters.fields, field.id, new))


async def typed(crm: Crm, filters: ListFilters, field_id: int, text: str) -> ListFilters:
    """The filters with the typed range of the field; refused in words if unreadable."""
    field = await crm.fields.get(field_id)  # deleted meanwhile: "this field no longer exists"
    if field.kind != CardKind.CLIENT.value or not ff.is_typed(field):
        raise InvalidInput(ErrorCode.BAD_CARD)
    new = ff.typed_filter(field, text)
    return replace(filters, fields=ff.with_filter(filters.fields, field.id, new))
