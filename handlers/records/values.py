"""A card's custom fields: the list, and editing one value with a button."""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from crm.errors import ErrorCode
from crm.service import Crm
from handlers.kit.dialogs import data_lost
from handlers.kit.keyboards import cancel_to
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.records.callbacks import Ent, EntCb
from handlers.records.common import fields_of, put, ref_of
from handlers.records.field_views import value_question
from handlers.records.states import EntFlow, FieldValue
from handlers.records.views import button, cb
from storage.models import User

routes = Routes(__name__)


@routes.callback_query(EntCb.filter(F.action == Ent.FIELDS))
async def open_fields(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    await state.clear()
    await put(callback, await fields_of(crm, member, ref_of(callback_data)))


@routes.callback_query(EntCb.filter(F.action == Ent.EDIT_VALUE))
async def ask_value(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    ref = ref_of(callback_data)
    if ref.kind == CardKind.DEAL:  # a colleague's deal: refused now, not after the answer
        await crm.deals.changeable(member, ref.id)
    else:
        await crm.cards.visible(member, ref)
    field = await crm.fields.get(callback_data.item)
    await state.set_state(EntFlow.value)
    await FieldValue(ref.kind, ref.id, field.id).save(state)
    rows = [
        [
            button(_("🧹 Clear"), cb(Ent.CLEAR_VALUE, ref, item=field.id)),
            cancel_to(cb(Ent.FIELDS, ref)),
        ]
    ]
    await put(callback, (Text(value_question(field)), InlineKeyboardMarkup(inline_keyboard=rows)))


@routes.message(EntFlow.value, F.text)
async def save_value(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await FieldValue.load(state)
    ref = data.ref()
    if ref is None or not data.field:
        await data_lost(state)
    # A wrong value is asked again; a field or card gone meanwhile ends the question.
    async with keep_asking(state, again={ErrorCode.BAD_FIELD_VALUE}, forget=True):
        await crm.field_values.set(member, ref, data.field, message.text or "")
    await state.clear()
    await put(message, await fields_of(crm, member, ref))


@routes.callback_query(EntCb.filter(F.action == Ent.CLEAR_VALUE))
async def clear_value(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    ref = ref_of(callback_data)
    await crm.field_values.clear(member, ref, callback_data.item)
    await state.clear()
    await put(callback, await fields_of(crm, member, ref))
