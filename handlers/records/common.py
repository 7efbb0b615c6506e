"""What the routers of this feature share: reading a press's card, refusing, screens."""

from __future__ import annotations

from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text

from crm.access import can_change_deal
from crm.cards import Card, CardKind, CardRef, title_of
from crm.errors import ErrorCode, InvalidInput
from crm.service import Crm
from handlers.kit.screen import show
from handlers.records import field_views, views
from handlers.records.callbacks import EntCb
from storage.models import Deal, User


def ref_of(data: EntCb) -> CardRef:
    """The card a press is about; a forged kind is refused like any bad input."""
    if data.kind not in ("client", "deal", "record"):
        raise InvalidInput(ErrorCode.BAD_CARD)
    return CardRef(CardKind(data.kind), data.card)


async def put(
    event: CallbackQuery | Message, screen: tuple[Text, InlineKeyboardMarkup | None]
) -> None:
    await show(event, screen[0], screen[1])
    if isinstance(event, CallbackQuery):
        await event.answer()


async def fields_of(crm: Crm, member: User, ref: CardRef) -> tuple[Text, InlineKeyboardMarkup]:
    card = await crm.cards.visible(member, ref)
    values = await crm.field_values.read(ref, card)
    editable = not isinstance(card, Deal) or can_change_deal(member, card)
    return field_views.fields_screen(ref, title_of(card), values, editable)


async def links_of(
    crm: Crm, member: User, ref: CardRef, page: int = 0
) -> tuple[Text, InlineKeyboardMarkup]:
    card = await crm.cards.visible(member, ref)
    links = await crm.links.read(member, ref)
    types = await crm.record_types.shown()
    follows = card.amount_from_lines if isinstance(card, Deal) else None
    return views.links_screen(ref, title_of(card), links, types, follows, page)


async def card_lines(crm: Crm, member: User, ref: CardRef, card: Card) -> list[str]:
    """A client's or deal's card lines for its filled custom fields and its links by kind."""
    extras = await crm.card_extras.read(member, ref, card)
    return views.extra_lines(extras.values, extras.links, extras.types)
