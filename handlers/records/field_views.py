"""A card's custom fields screen and the question for one value. Pure: data → text + buttons."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.cards import CardRef
from crm.field_values import ShownValue
from handlers.kit.field_texts import plain_text
from handlers.kit.screen import MESSAGE_CHARS, fitted, utf16_length
from handlers.kit.timeline import shorten
from handlers.records.callbacks import Ent
from handlers.records.views import (
    MAX_BUTTON_TITLE,
    MAX_VALUE_SHOWN,
    back_to_card,
    button,
    cb,
    options_listing,
    type_label,
)
from storage.models import FieldDef

# How short the values (and then the names) get when a card's 50 fields do not fit
# a message at their full length.
SHORTER = (MAX_VALUE_SHOWN, 120, 60, 30)


def fields_screen(
    ref: CardRef, title: str, values: list[ShownValue], editable: bool = True
) -> tuple[Text, InlineKeyboardMarkup]:
    """``editable``: ✏️ buttons for the values (not on a colleague's deal, which refuses them)."""
    rows = []
    for shown in values if editable else []:
        label = _("✏️ {name}").format(name=shorten(shown.field.name, MAX_BUTTON_TITLE))
        rows.append([button(label, cb(Ent.EDIT_VALUE, ref, item=shown.field.id))])
    rows.append([back_to_card(ref)])
    head = [as_line(Bold(title)), as_line(_("Fields:"))]
    if not values:
        text = Text(*head, as_line(_("No fields yet: the owner adds them in /settings.")))
        return text, InlineKeyboardMarkup(inline_keyboard=rows)
    keyboard = InlineKeyboardMarkup(inline_keyboard=rows)
    for limit in SHORTER:
        lines = [as_line(_field_line(shown, limit)) for shown in values]
        text = Text(*head, *lines)
        if utf16_length(text.render()[0]) <= MESSAGE_CHARS:
            return text, keyboard
    return fitted(head, lines, [], MESSAGE_CHARS), keyboard  # (the buttons name them all)


def _field_line(shown: ShownValue, limit: int) -> str:
    mark = " *" if shown.field.required else ""
    mark += " ⚠️" if shown.field.required and shown.value is None else ""
    name = shorten(shown.field.name, max(limit, MAX_BUTTON_TITLE // 2))
    return f"• {name}{mark}: {shorten(plain_text(shown.field.type, shown.value), limit)}"


def value_question(field: FieldDef) -> str:
    """The question for one value, with the options of a list field."""
    asked = _("Send the value of “{name}” ({type}).").format(
        name=field.name, type=type_label(field.type)
    )
    return "\n".join([asked, *options_listing(field)])
