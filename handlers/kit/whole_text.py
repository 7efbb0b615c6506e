"""Long notes are cut on a timeline; a button under the card shows each one whole."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from crm.timeline import WHOLE_KINDS, note_check
from handlers.kit.keyboards import button
from handlers.kit.timeline import MAX_NOTE_SHOWN, shorten
from handlers.opencard.callbacks import WholeNoteCb
from storage.models import Event

MAX_BUTTONS = 3


def is_cut(event: Event) -> bool:
    """Whether the timeline shows this event's note shortened."""
    text = " ".join((event.text or "").split())
    return event.kind in WHOLE_KINDS and len(text) > MAX_NOTE_SHOWN


def read_whole_rows(events: Iterable[Event]) -> list[list[InlineKeyboardButton]]:
    """One "📖 Read whole" button for each cut note on the page (the newest few)."""
    cut = [event for event in events if is_cut(event)][:MAX_BUTTONS]
    return [
        [
            button(
                _("📖 Read whole: {start}").format(start=shorten(event.text or "", 30)),
                WholeNoteCb(ref=event.id, check=note_check(event)),
            )
        ]
        for event in cut
    ]
