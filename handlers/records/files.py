"""Files on a record's card: sent while the card is open, listed, sent back on request.

The same as a client's (``handlers.clients.attachments``, ``handlers.kit.files``): the
file is kept by its Telegram file id on the record's timeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogram import Bot, F
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind, CardRef
from crm.errors import ErrorCode, InvalidInput
from crm.service import Crm
from handlers.kit.callbacks import UndoCb
from handlers.kit.files import SentFile, file_choices, send_back
from handlers.kit.routes import Routes
from handlers.kit.screen import send
from handlers.records.callbacks import Ent, EntCb
from handlers.records.common import put, ref_of
from handlers.records.record_views import FROM_EVENT
from handlers.records.views import button, cb
from storage.models import Event, User

routes = Routes(__name__)


async def attach_sent(message: Message, crm: Crm, member: User, record_id: int) -> None:
    """A file sent with the record's card open, onto its timeline. Refused (and told by
    ``Refusals``) when the record is gone, archived or no longer the member's to see."""
    await attach_file(message, crm, member, record_id, SentFile.of(message))


async def attach_file(
    target: Message | CallbackQuery, crm: Crm, member: User, record_id: int, file: SentFile
) -> None:
    """``file`` onto the record's timeline, and said with Undo (on ``target``: the file's
    message, or the question asked about it)."""
    event = await crm.records.attach(
        member, record_id, file.kind, file.file_id, file.file_name, file.caption
    )
    record = await crm.records.visible(member, record_id)
    ref = CardRef(CardKind.RECORD, record.id)
    rows = [
        [
            button(_("↩️ Undo"), UndoCb.of(event).pack()),
            button(_("📁 Open card"), cb(Ent.RECORD, ref)),
        ]
    ]
    text = Text(_("Added to the history of {name}.").format(name=record.title))
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    if isinstance(target, Message):
        await send(target, text, markup)
    else:
        await put(target, (text, markup))


@routes.callback_query(EntCb.filter(F.action == Ent.FILES))
async def list_files(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    """An older message's: the files of ``item`` events read from ``page`` on (0: all)."""
    ref = ref_of(callback_data)
    card = await crm.record_queries.card(member, ref.id, callback_data.page)
    shown = card.events[: callback_data.item] if callback_data.item else card.events
    await put(callback, files_screen(ref, shown, card.actors, card.first))


@routes.callback_query(EntCb.filter(F.action == Ent.SHOWN_FILES))
async def list_shown_files(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User
) -> None:
    """The files of the events the card showed: ``page`` of them, ``item`` the newest
    (read by their ids: whatever was written since, the list is the card's)."""
    ref = ref_of(callback_data)
    if ref.kind is not CardKind.RECORD:
        raise InvalidInput(ErrorCode.BAD_CARD)
    data = callback_data
    shown = await crm.record_queries.shown_events(member, ref.id, data.item, data.page)
    await put(callback, files_screen(ref, shown.events, shown.actors, shown.newer))


def files_screen(
    ref: CardRef, events: Sequence[Event], people: Mapping[int, User], back_to: int
) -> tuple[Text, InlineKeyboardMarkup]:
    """A button for each file among ``events``, and back to the card from ``back_to``."""
    rows = [
        [button(text, cb(Ent.FILE, ref, item=event_id, page=back_to))]
        for text, event_id in file_choices(list(events), people)
    ]
    back = cb(Ent.RECORD, ref, page=back_to, item=FROM_EVENT)
    rows.append([button(_("◀️ Back to the card"), back)])
    return Text(_("Tap a file to get it here.")), InlineKeyboardMarkup(inline_keyboard=rows)


@routes.callback_query(EntCb.filter(F.action == Ent.FILE))
async def send_file(
    callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User, bot: Bot
) -> None:
    await send_back(bot, member.id, await crm.records.file_event(member, callback_data.item))
    await callback.answer()


@routes.callback_query(UndoCb.filter(F.kind == CardKind.RECORD))
async def undo(callback: CallbackQuery, callback_data: UndoCb, crm: Crm, member: User) -> None:
    """Take back a file just sent (within the hour, one's own), as on a client's card, if
    it is still the event the button was made for."""
    data = callback_data
    await crm.records.undo(member, data.ref, data.card, data.check)
    await put(callback, (Text(_("Removed from the card.")), None))


@routes.callback_query(EntCb.filter(F.action == Ent.UNDO))
async def undo_older(callback: CallbackQuery, callback_data: EntCb, crm: Crm, member: User) -> None:
    """An older message's Undo (no check): the event it names, if it is on its record."""
    ref = ref_of(callback_data)
    record_id = ref.id if ref.kind is CardKind.RECORD else 0  # 0: no record's
    await crm.records.undo(member, callback_data.item, record_id)
    await put(callback, (Text(_("Removed from the card.")), None))
