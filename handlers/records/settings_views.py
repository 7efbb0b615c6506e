"""The owner's screens for fields and record types. Pure: data → text + buttons."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.field_rules import options_of
from crm.parsing.fields import FieldType, Option
from handlers.kit.keyboards import cancel_to
from handlers.kit.timeline import shorten
from handlers.records.callbacks import Ent, EntCb
from handlers.records.views import MAX_BUTTON_TITLE, button, no_back, type_label
from storage.models import FieldDef, RecordType

FIELD_TYPES = tuple(FieldType)
OPTIONS_PER_PAGE = 20  # two buttons each: well within Telegram's 100 a message
# What "Make required" / "Make optional" sets (its ``page``): pressed twice, or after the
# field changed elsewhere, it does what it says (0: an older button's, which toggled).
REQUIRED, OPTIONAL = 1, 2


def scb(action: Ent, kind: str = "", type_id: int = 0, item: int = 0, page: int = 0) -> str:
    return EntCb(action=action, kind=kind, type_id=type_id, item=item, page=page).pack()


def kinds_screen(types: list[RecordType]) -> tuple[Text, InlineKeyboardMarkup]:
    rows = [
        [button(_("👤 Client fields"), scb(Ent.FIELD_LIST, "client"))],
        [button(_("💼 Deal fields"), scb(Ent.FIELD_LIST, "deal"))],
    ]
    for t in types:
        label = f"{t.emoji} {shorten(t.plural, MAX_BUTTON_TITLE)}"
        if t.archived_at is not None:
            label += " " + _("(archived)")
        rows.append([button(label, scb(Ent.FIELD_LIST, "record", t.id))])
    rows.append([button(_("➕ New record type"), scb(Ent.NEW_TYPE))])
    rows.append([button(_("🗂 Ready-made types"), scb(Ent.TYPES))])
    text = Text(as_line(Bold(_("Fields and record types"))), _("Choose whose fields to change."))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def field_list_screen(
    kind: str, record_type: RecordType | None, fields: list[FieldDef]
) -> tuple[Text, InlineKeyboardMarkup]:
    type_id = record_type.id if record_type else 0
    if record_type is not None:
        title = f"{record_type.emoji} {record_type.singular} / {record_type.plural}"
    else:
        title = _("Client fields") if kind == "client" else _("Deal fields")
    parts: list[Text | str] = [as_line(Bold(title))]
    rows: list[list[InlineKeyboardButton]] = []
    for field in fields:
        mark = " *" if field.required else ""
        parts.append(as_line(f"• {field.name}{mark} — {type_label(field.type)}"))
        rows.append(
            [button(shorten(field.name, MAX_BUTTON_TITLE), scb(Ent.FIELD, kind, type_id, field.id))]
        )
    if not fields:
        parts.append(as_line(_("No fields yet.")))
    rows.append([button(_("➕ Add a field"), scb(Ent.ADD_FIELD, kind, type_id))])
    if record_type is not None:
        archived = record_type.archived_at is not None
        rows.append(
            [
                button(_("✏️ Rename type"), scb(Ent.TYPE_RENAME, kind, type_id)),
                button(_("🙂 Emoji"), scb(Ent.TYPE_EMOJI, kind, type_id)),
            ]
        )
        rows.append(
            [
                button(
                    _("♻️ Restore type") if archived else _("🗄 Archive type"),
                    scb(Ent.TYPE_ARCHIVE, kind, type_id, 0 if archived else 1),
                ),
                button(_("🗑 Delete type"), scb(Ent.TYPE_DELETE, kind, type_id)),
            ]
        )
    rows.append([button(_("◀️ Back"), scb(Ent.SETTINGS))])
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


def field_types_screen(kind: str, type_id: int) -> tuple[Text, InlineKeyboardMarkup]:
    buttons = [
        button(type_label(t), scb(Ent.FIELD_TYPE, kind, type_id, index))
        for index, t in enumerate(FIELD_TYPES)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([cancel_to(scb(Ent.FIELD_LIST, kind, type_id))])
    return Text(_("Choose the field's type.")), InlineKeyboardMarkup(inline_keyboard=rows)


def field_screen(field: FieldDef) -> tuple[Text, InlineKeyboardMarkup]:
    kind, type_id = field.kind, field.record_type_id or 0
    parts: list[Text | str] = [
        as_line(Bold(field.name)),
        as_line(_("Type: {type}").format(type=type_label(field.type))),
        as_line(_("Required: yes") if field.required else _("Required: no")),
    ]
    options = options_of(field)
    if options:
        parts.append(
            as_line(
                _("Options: {list}").format(list=shorten(", ".join(o.name for o in options), 500))
            )
        )
    rows = [
        [button(_("✏️ Rename"), scb(Ent.FIELD_RENAME, kind, type_id, field.id))],
        [
            button(
                _("Make optional") if field.required else _("Make required"),
                scb(
                    Ent.FIELD_REQUIRED,
                    kind,
                    type_id,
                    field.id,
                    OPTIONAL if field.required else REQUIRED,
                ),
            ),
            button(_("⬆️ Up"), scb(Ent.FIELD_UP, kind, type_id, field.id)),
        ],
        [button(_("🗑 Delete field"), scb(Ent.FIELD_DELETE, kind, type_id, field.id))],
        [button(_("◀️ Back"), scb(Ent.FIELD_LIST, kind, type_id))],
    ]
    if options:
        rows.insert(1, [button(_("📋 Options"), scb(Ent.OPTIONS, kind, type_id, field.id))])
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


def options_screen(
    field: FieldDef, page: int = 0, near: int | None = None
) -> tuple[Text, InlineKeyboardMarkup]:
    """A list field's options, a page at a time (Telegram keeps 100 buttons a message):
    tap one to rename it (the cards that chose it keep it), 🗑 to remove it.
    ``near``: show the page of this option instead."""
    kind, type_id = field.kind, field.record_type_id or 0
    options = options_of(field)
    pages = max(1, -(-len(options) // OPTIONS_PER_PAGE))
    ids = [o.id for o in options]
    if near in ids:
        page = ids.index(near) // OPTIONS_PER_PAGE
    page = min(max(page, 0), pages - 1)
    shown = options[page * OPTIONS_PER_PAGE : (page + 1) * OPTIONS_PER_PAGE]
    rows = [
        [
            button(
                f"✏️ {shorten(option.name, MAX_BUTTON_TITLE)}",
                scb(Ent.OPTION_RENAME, kind, type_id, field.id, option.id),
            ),
            button("🗑", scb(Ent.OPTION_DELETE, kind, type_id, field.id, option.id)),
        ]
        for option in shown
    ]
    nav = []
    if page > 0:
        nav.append(button("◀️", scb(Ent.OPTIONS, kind, type_id, field.id, page - 1)))
    if page < pages - 1:
        nav.append(button("▶️", scb(Ent.OPTIONS, kind, type_id, field.id, page + 1)))
    if nav:
        rows.append(nav)
    rows.append([button(_("➕ Add an option"), scb(Ent.OPTION_ADD, kind, type_id, field.id))])
    rows.append([button(_("◀️ Back"), scb(Ent.FIELD, kind, type_id, field.id))])
    parts: list[Text | str] = [
        as_line(Bold(field.name)),
        _(
            "Tap an option to rename it; the cards that chose it keep it under the new name. "
            "🗑 removes an option (asked first)."
        ),
    ]
    if pages > 1:
        parts.append("\n" + _("Page {page} of {pages}.").format(page=page + 1, pages=pages))
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


def delete_type_prompt(
    record_type: RecordType, fields: int, warning: str
) -> tuple[Text, InlineKeyboardMarkup]:
    """The question before a record type (with no records) goes, with its fields."""
    type_id = record_type.id
    text = (
        _("Delete the record type “{name}”? Its fields ({count}) go with it; it has no records.")
        if fields
        else _("Delete the record type “{name}”? It has no fields and no records.")
    ).format(name=f"{record_type.emoji} {record_type.plural}", count=fields)
    rows = [
        [
            button(_("🗑 Yes, delete"), scb(Ent.TYPE_DELETE_YES, "record", type_id)),
            no_back(scb(Ent.FIELD_LIST, "record", type_id)),
        ]
    ]
    text = "\n".join(filter(None, (text, warning)))
    return Text(text), InlineKeyboardMarkup(inline_keyboard=rows)


def rename_prompt(text: str, back: str) -> tuple[Text, InlineKeyboardMarkup]:
    rows = [[cancel_to(back)]]
    return Text(text), InlineKeyboardMarkup(inline_keyboard=rows)


def remove_option_prompt(
    field: FieldDef, option: Option, held: int
) -> tuple[Text, InlineKeyboardMarkup]:
    kind, type_id = field.kind, field.record_type_id or 0
    text = _(
        "Remove the option “{name}” of “{field}”? {count} cards chose it; their choice goes, "
        "the history stays."
    ).format(name=option.name, field=field.name, count=held)
    rows = [
        [
            button(_("🗑 Remove"), scb(Ent.OPTION_DELETE_YES, kind, type_id, field.id, option.id)),
            no_back(scb(Ent.OPTIONS, kind, type_id, field.id)),
        ]
    ]
    return Text(text), InlineKeyboardMarkup(inline_keyboard=rows)
