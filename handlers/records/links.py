"""Links from a card: the list grouped by kind, "🔗 Link" → kind → search → pick, unlink."""

from __future__ import annotations

from decimal import Decimal

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.access import can_change_deal
from crm.cards import CardKind, CardRef
from crm.errors import ErrorCode, InvalidInput
from crm.link_views import quantity_milli
from crm.parsing.fields import FieldType, FieldValueError, parse_value
from crm.parsing.search_text import shows
from crm.service import Crm
from handlers.kit.alerts import alert
from handlers.kit.dialogs import data_lost
from handlers.kit.keyboards import cancel_to
from handlers.kit.refused import keep_asking
from handlers.kit.routes import Routes
from handlers.kit.screen import show
from handlers.records import views
from handlers.records.callbacks import Ent, EntCb
from handlers.records.common import links_of, put, ref_of
from handlers.records.states import EntFlow, LinkLine, LinkSearch
from handlers.records.views import KINDS_BY_NUMBER, button, cb
from storage.models import Deal, User

routes = Routes(__name__)
QUANTITY_REFUSALS = {
    ErrorCode.QUANTITY_TOO_PRECISE,
    ErrorCode.BAD_QUANTITY,
    ErrorCode.BAD_PRICE,
    ErrorCode.LINE_TOO_LARGE,
}


@routes.callback_query(EntCb.filter(F.action == Ent.LINKS))
async def open_links(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    await state.clear()
    await put(callback, await links_of(crm, member, ref_of(callback_data), callback_data.page))


@routes.callback_query(EntCb.filter(F.action == Ent.LINK_TYPE))
async def choose_kind(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    ref = ref_of(callback_data)
    await crm.cards.visible(member, ref)
    if callback_data.type_id == 0:
        await put(callback, views.link_kinds_screen(ref, await crm.record_types.all()))
        return
    if callback_data.type_id > 0:
        await crm.record_types.get(callback_data.type_id)
    await state.set_state(EntFlow.link_search)
    await LinkSearch(ref.kind, ref.id, callback_data.type_id).save(state)
    await put(callback, search_question(ref))


def search_question(ref: CardRef) -> tuple[Text, InlineKeyboardMarkup]:
    rows = [[cancel_to(cb(Ent.LINKS, ref))]]
    return (
        Text(_("Send a few letters of the name to find the card.")),
        InlineKeyboardMarkup(inline_keyboard=rows),
    )


@routes.message(EntFlow.link_search, F.text)
async def search(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    data = await LinkSearch.load(state)
    ref, target = data.ref(), data.target
    if ref is None or not target:
        await data_lost(state)
    kind = {-1: CardKind.CLIENT, -2: CardKind.DEAL}.get(target, CardKind.RECORD)
    if not shows(message.text or ""):  # nothing to look for: the question again
        await put(message, search_question(ref))
        return
    # too long: asked again; the card or the type gone: the search ends
    async with keep_asking(state, again={ErrorCode.TOO_LONG}, forget=True):
        await crm.cards.visible(member, ref)
        found = await crm.card_search.find(
            member, kind, message.text or "", target if target > 0 else None
        )
    await put(message, views.pick_screen(ref, [(o, t) for o, t in found if o != ref]))


@routes.callback_query(EntCb.filter(F.action == Ent.LINK_PICK))
async def pick(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, state: FSMContext
) -> None:
    ref = ref_of(callback_data)
    if callback_data.type_id == 0:  # "Link without a quantity" under its own question
        await _link_unquantified(
            callback, crm, member, state, (ref, _line_other(ref, callback_data))
        )
        return
    other_kind = KINDS_BY_NUMBER.get(callback_data.type_id)
    if other_kind is None:
        raise InvalidInput(ErrorCode.BAD_CARD)
    other = CardRef(other_kind, callback_data.item)
    kinds = {ref.kind, other.kind}
    if kinds == {CardKind.DEAL, CardKind.RECORD}:
        card = await crm.cards.visible(member, ref)
        other_card = await crm.cards.visible(member, other)
        deal = card if isinstance(card, Deal) else other_card
        await crm.links.refuse_if_linked(ref, other)  # said now, not after the quantity
        if isinstance(deal, Deal) and not can_change_deal(member, deal):
            # A colleague's deal: a line is his to set (crm.links), a plain link anyone's.
            await crm.links.link(member, ref, other)
            await state.clear()
            screen = await links_of(crm, member, ref)
            await show(callback, screen[0], screen[1])
            await alert(
                callback,
                _("Linked without a quantity: only the deal's manager sets quantities."),
                toast=True,
            )
            return
        await state.set_state(EntFlow.link_quantity)
        await LinkLine(ref.kind, ref.id, other.kind, other.id).save(state)
        rows = [
            [button(_("Link without a quantity"), cb(Ent.LINK_PICK, ref, item=other.id))],
            [cancel_to(cb(Ent.LINKS, ref))],
        ]
        await put(
            callback,
            (
                Text(_("Send the quantity (for example 3 or 1.5).")),
                InlineKeyboardMarkup(inline_keyboard=rows),
            ),
        )
        return
    await crm.links.link(member, ref, other)
    await state.clear()
    await put(callback, await links_of(crm, member, ref))


@routes.message(EntFlow.link_quantity, F.text)
async def typed_quantity(message: Message, crm: Crm, member: User, state: FSMContext) -> None:
    try:
        parsed = parse_value(FieldType.NUMBER, message.text or "")
    except FieldValueError:
        await message.answer(_("Send the quantity as a number, for example 3 or 1.5."))
        return
    milli = quantity_milli(Decimal(parsed.text_value or "0"))  # finer than 0.001: refused
    await _link_line(message, crm, member, state, milli)


def _line_other(ref: CardRef, callback_data: EntCb) -> CardRef:
    """The other card of the pair a "Link without a quantity" button was drawn for: a deal
    line joins a deal and a record, so its kind follows from the card's."""
    kind = CardKind.RECORD if ref.kind == CardKind.DEAL else CardKind.DEAL
    return CardRef(kind, callback_data.item)


async def _link_unquantified(
    callback: CallbackQuery,
    crm: Crm,
    member: User,
    state: FSMContext,
    pair: tuple[CardRef, CardRef],
) -> None:
    """Link the pair without a quantity if its question is the one open now; a button of
    an older question (another pair asked since, or none) is refused and the open one stays."""
    asked = await state.get_state() == EntFlow.link_quantity.state
    refs = (await LinkLine.load(state)).refs() if asked else None
    if not asked or refs not in (None, pair):  # None: the data lost, ended by _link_line
        await alert(callback, _("This button is no longer active."))
        return
    await _link_line(callback, crm, member, state, None)


async def _link_line(
    event: CallbackQuery | Message, crm: Crm, member: User, state: FSMContext, quantity: int | None
) -> None:
    refs = (await LinkLine.load(state)).refs()
    if refs is None:
        await data_lost(state)
    ref, other = refs
    # another quantity may fit: asked again; no access, a card gone, linked meanwhile: ends
    async with keep_asking(state, again=QUANTITY_REFUSALS, forget=True):
        await crm.links.link(member, ref, other, quantity_milli=quantity)
    await state.clear()
    await put(event, await links_of(crm, member, ref))


@routes.callback_query(EntCb.filter(F.action == Ent.UNLINK))
async def unlink(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    ref = ref_of(callback_data)
    await crm.links.unlink(member, callback_data.item)
    await put(callback, await links_of(crm, member, ref, callback_data.page))


@routes.callback_query(EntCb.filter(F.action == Ent.FOLLOW))
async def follow(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    ref = ref_of(callback_data)
    if ref.kind != CardKind.DEAL:
        raise InvalidInput(ErrorCode.BAD_CARD)
    await crm.links.set_amount_follows_lines(member, ref.id, callback_data.item == 1)
    await put(callback, await links_of(crm, member, ref, callback_data.page))
