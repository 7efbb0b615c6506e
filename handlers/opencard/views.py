"""Pure screens of the open card: the question about a text that names another client."""

from __future__ import annotations

from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind
from handlers.deals.callbacks import DealAction, DealCb
from handlers.kit.callbacks import UndoCb
from handlers.kit.keyboards import button, keyboard
from handlers.kit.screen import Screen
from handlers.kit.timeline import shorten
from handlers.opencard.callbacks import OpenCardAction, OpenCardCb
from handlers.records.callbacks import Ent, EntCb
from storage.models import Event

MAX_NAME = 40


def which_question(key: int, text: str, card_name: str, other_name: str) -> Screen:
    """ "кузнецов" with Алёна's card open: a comment on her, or a search for him?"""
    body = Text(
        _("“{text}” looks like the name of {other}. A comment on {card}, or a search?").format(
            text=shorten(text, MAX_NAME),
            other=shorten(other_name, MAX_NAME),
            card=shorten(card_name, MAX_NAME),
        )
    )
    comment = OpenCardCb(action=OpenCardAction.COMMENT, ref=key)
    search = OpenCardCb(action=OpenCardAction.SEARCH, ref=key)
    rows = [
        [button(_("💬 Comment on {card}").format(card=shorten(card_name, 30)), comment)],
        [button(_("🔍 Search for “{text}”").format(text=shorten(text, 30)), search)],
    ]
    return Screen(body, keyboard(*rows))


def deal_comment_ack(event: Event, deal_id: int, title: str) -> Screen:
    """A comment added to a deal: Undo, and the way back to the deal."""
    undo = UndoCb.of(event)
    deal = DealCb(action=DealAction.OPEN, deal_id=deal_id)
    row = [button(_("↩️ Undo"), undo), button(_("💼 Open deal"), deal)]
    return Screen(
        Text(_("Comment added to the deal “{title}”.").format(title=title)), keyboard(row)
    )


def record_comment_ack(event: Event, title: str) -> Screen:
    """A comment added to a record: Undo, and the way back to the record's card."""
    assert event.record_id is not None
    card = EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=event.record_id)
    row = [button(_("↩️ Undo"), UndoCb.of(event)), button(_("📁 Open card"), card)]
    return Screen(Text(_("Comment added to {name}.").format(name=title)), keyboard(row))


def file_question(key: int, file_name: str, card_name: str) -> Screen:
    """A spreadsheet sent with a card open (``key``: its message): attach it to the card,
    or import it?"""
    body = Text(
        _("“{file}” is a spreadsheet. Attach it to {card}, or import it into the base?").format(
            file=shorten(file_name, 60), card=shorten(card_name, 60)
        )
    )
    attach = OpenCardCb(action=OpenCardAction.ATTACH_FILE, ref=key)
    load = OpenCardCb(action=OpenCardAction.IMPORT_FILE, ref=key)
    label = _("📎 Attach to {card}").format(card=shorten(card_name, 30))
    rows = [[button(label, attach)], [button(_("📥 Import into the base"), load)]]
    return Screen(body, keyboard(*rows))
