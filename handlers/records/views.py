"""Custom fields and links on any card, and the record screens. Pure: data → text + buttons."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.cards import CardKind, CardRef
from crm.field_rules import options_of
from crm.field_values import Plain, ShownValue
from crm.link_views import LinkView
from crm.parsing.fields import FieldType
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from handlers.kit.field_texts import CURRENCY, plain_text, shown_number
from handlers.kit.keyboards import cancel_to
from handlers.kit.screen import clipped, utf16_length
from handlers.kit.stages import money
from handlers.kit.timeline import shorten
from handlers.records.callbacks import Ent, EntCb
from storage.models import FieldDef, RecordType

MAX_VALUE_SHOWN = 300
MAX_BUTTON_TITLE = 40
EXTRA_CHARS = 2000  # a card's field and link lines (UTF-16 units): the card must fit in 4096
LINKS_PER_PAGE = 10  # a card's links screen: within 4096 characters and 100 buttons
MAX_OPTIONS_SHOWN = 3000  # UTF-16 units of a list field's options in a question


def cb(action: Ent, ref: CardRef | None = None, **values: int) -> str:
    kind, card = (ref.kind.value, ref.id) if ref else ("", 0)
    return EntCb(action=action, kind=kind, card=card, **values).pack()


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def no_back(data: str) -> InlineKeyboardButton:
    """A confirmation's way back (``kit.keyboards.confirm``'s): "✖️ Cancel" is a question's,
    which ends the dialog it asked; a confirmation asks none."""
    return button(_("◀️ No, back"), data)


def type_label(type_: str) -> str:
    labels: dict[str, str] = {
        FieldType.TEXT: _("text"),
        FieldType.LONG_TEXT: _("long text"),
        FieldType.NUMBER: _("number"),
        FieldType.MONEY: _("money"),
        FieldType.DATE: _("date"),
        FieldType.YES_NO: _("yes/no"),
        FieldType.CHOICE: _("one of a list"),
        FieldType.MULTI_CHOICE: _("several of a list"),
        FieldType.PHONE: _("phone"),
        FieldType.EMAIL: _("email"),
        FieldType.URL: _("link"),
    }
    return labels.get(type_, type_)


def value_label(field: FieldDef, value: Plain) -> str:
    """A value as the card shows it (long ones shortened to fit a message)."""
    return shorten(plain_text(field.type, value), MAX_VALUE_SHOWN)


def required_question(field: FieldDef) -> str:
    """A create dialog's question for a required field, with the options of a list."""
    lines = [
        _("“{name}” is required ({type}): send it.").format(
            name=field.name, type=type_label(field.type)
        )
    ]
    return "\n".join(lines + options_listing(field))


def options_listing(field: FieldDef) -> list[str]:
    """A list field's options, numbered, for a question (within a message: a field may
    have 100 options of 60 characters); nothing for other fields."""
    if field.type not in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        return []
    listed = "\n".join(f"{i}. {o.name}" for i, o in enumerate(options_of(field), start=1))
    listed = clipped(listed, MAX_OPTIONS_SHOWN)  # a message holds 4096 UTF-16 units
    return [_("Options (send a name or its number):"), listed]


def filled_lines(values: list[ShownValue]) -> list[str]:
    """The filled fields as card lines; empty ones are folded away."""
    return [
        f"{v.field.name}: {value_label(v.field, v.value)}" for v in values if v.value is not None
    ]


def missing_required(values: list[ShownValue]) -> list[str]:
    """The names of the required fields a card has no value in (a lead, an import)."""
    return [v.field.name for v in values if v.field.required and v.value is None]


def missing_line(names: list[str]) -> str:
    return shorten(
        _("⚠️ Required, not filled: {names} (🧩 Fields)").format(names=", ".join(names)),
        MAX_VALUE_SHOWN,
    )


def back_to_card(ref: CardRef) -> InlineKeyboardButton:
    return open_button(ref, _("◀️ Back to the card"))


def open_button(ref: CardRef, text: str) -> InlineKeyboardButton:
    if ref.kind == CardKind.CLIENT:
        return button(text, ClientCb(action="open", client_id=ref.id).pack())
    if ref.kind == CardKind.DEAL:
        return button(text, DealCb(action="open", deal_id=ref.id).pack())
    return button(text, cb(Ent.RECORD, ref))


def card_buttons(ref: CardRef) -> list[InlineKeyboardButton]:
    """The row a client, deal or record card gets: its fields and its links."""
    return [button(_("🧩 Fields"), cb(Ent.FIELDS, ref)), button(_("🔗 Links"), cb(Ent.LINKS, ref))]


def kind_icon(view: LinkView, types: Mapping[int, RecordType]) -> str:
    if view.other.kind == CardKind.CLIENT:
        return "👤"
    if view.other.kind == CardKind.DEAL:
        return "💼"
    record_type = types.get(view.type_id or 0)
    return record_type.emoji if record_type else "📁"


def group_name(view: LinkView, types: Mapping[int, RecordType]) -> str:
    if view.other.kind == CardKind.CLIENT:
        return _("Clients")
    if view.other.kind == CardKind.DEAL:
        return _("Deals")
    record_type = types.get(view.type_id or 0)
    return record_type.plural if record_type else _("Records")


def line_text(view: LinkView) -> str:
    """``2,5 × 150 ₽ = 375 ₽``: the quantity, too, in the reader's way (not ``2.5``)."""
    return _("{quantity} × {price} = {total}").format(
        quantity=shown_number(Decimal(view.quantity_milli or 0) / 1000),
        price=money(view.price_minor or 0, CURRENCY),
        total=money(view.line_total or 0, CURRENCY),
    )


def links_screen(
    ref: CardRef,
    title: str,
    links: list[LinkView],
    types: Mapping[int, RecordType],
    follows: bool | None,
    page: int = 0,
) -> tuple[Text, InlineKeyboardMarkup]:
    """The card's links grouped by kind, a page of them at a time; each opens the other
    card. ``follows``: for a deal, whether its amount follows its lines (None for other
    cards)."""
    pages = max(1, -(-len(links) // LINKS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = links[page * LINKS_PER_PAGE : (page + 1) * LINKS_PER_PAGE]
    heading = _("Links:")
    if pages > 1:
        first = page * LINKS_PER_PAGE + 1
        heading = _("Links ({first}–{last} of {total}):").format(
            first=first, last=first + len(shown) - 1, total=len(links)
        )
    parts: list[Text | str] = [as_line(Bold(title)), as_line(heading)]
    rows: list[list[InlineKeyboardButton]] = []
    groups: dict[str, list[LinkView]] = {}
    for view in shown:
        groups.setdefault(group_name(view, types), []).append(view)
    for name, views in groups.items():
        parts.append(as_line(Bold(name)))
        for view in views:
            line = f"{kind_icon(view, types)} {view.title}"
            if view.line_total is not None:
                line += f" — {line_text(view)}"
            parts.append(as_line(shorten(line, MAX_VALUE_SHOWN)))
            rows.append(
                [
                    open_button(
                        view.other,
                        shorten(f"{kind_icon(view, types)} {view.title}", MAX_BUTTON_TITLE),
                    ),
                    button("✖️", cb(Ent.UNLINK, ref, item=view.link_id, page=page)),
                ]
            )
    if not links:
        parts.append(as_line(_("No links yet.")))
    total = sum(view.line_total or 0 for view in links)
    if follows is not None and any(view.line_total is not None for view in links):
        parts.append(as_line(_("Lines total: {total}").format(total=money(total, CURRENCY))))
    nav = [button("◀️", cb(Ent.LINKS, ref, page=page - 1))] if page > 0 else []
    if page < pages - 1:
        nav.append(button("▶️", cb(Ent.LINKS, ref, page=page + 1)))
    if nav:
        rows.append(nav)
    rows.append([button(_("🔗 Link"), cb(Ent.LINK_TYPE, ref))])
    if follows is not None:
        label = _("🧮 Amount follows lines: on") if follows else _("🧮 Amount follows lines: off")
        rows.append([button(label, cb(Ent.FOLLOW, ref, item=0 if follows else 1, page=page))])
    rows.append([back_to_card(ref)])
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


def link_kinds_screen(ref: CardRef, types: list[RecordType]) -> tuple[Text, InlineKeyboardMarkup]:
    rows = [
        [
            button(_("👤 Clients"), cb(Ent.LINK_TYPE, ref, type_id=-1)),
            button(_("💼 Deals"), cb(Ent.LINK_TYPE, ref, type_id=-2)),
        ]
    ]
    rows.extend(
        [
            button(
                f"{t.emoji} {shorten(t.plural, MAX_BUTTON_TITLE)}",
                cb(Ent.LINK_TYPE, ref, type_id=t.id),
            )
        ]
        for t in types
    )
    rows.append([button(_("◀️ Back"), cb(Ent.LINKS, ref))])  # a choice: asks none
    return Text(_("What to link? Choose the kind of card.")), InlineKeyboardMarkup(
        inline_keyboard=rows
    )


def pick_screen(
    ref: CardRef, found: list[tuple[CardRef, str]]
) -> tuple[Text, InlineKeyboardMarkup]:
    rows = [
        [
            button(
                shorten(title, MAX_BUTTON_TITLE),
                cb(Ent.LINK_PICK, ref, type_id=KIND_NUMBERS[other.kind], item=other.id),
            )
        ]
        for other, title in found
    ]
    rows.append([cancel_to(cb(Ent.LINKS, ref))])
    text = (
        _("Pick one, or send another search.")
        if found
        else _("Nothing found. Send another search.")
    )
    return Text(text), InlineKeyboardMarkup(inline_keyboard=rows)


# A picked card's kind travels as a number in ``type_id`` (the id travels in ``item``).
KIND_NUMBERS = {CardKind.CLIENT: 1, CardKind.DEAL: 2, CardKind.RECORD: 3}
KINDS_BY_NUMBER = {number: kind for kind, number in KIND_NUMBERS.items()}


def extra_lines(
    values: list[ShownValue], links: list[LinkView], types: Mapping[int, RecordType]
) -> list[str]:
    """The filled fields, the required ones still empty, then one line per kind of linked
    card, for a card's text: at most ``EXTRA_CHARS`` UTF-16 units of them, the rest counted
    in a last line that sends to 🧩 Fields and 🔗 Links (a card must fit in one message)."""
    filled = filled_lines(values)
    groups: dict[str, list[str]] = {}
    for view in links:
        groups.setdefault(group_name(view, types), []).append(
            f"{kind_icon(view, types)} {view.title}"
        )
    linked = [
        shorten(f"🔗 {name}: " + ", ".join(titles), MAX_VALUE_SHOWN)
        for name, titles in groups.items()
    ]
    kept: list[str] = []
    used = 0
    for line in filled + linked:
        used += utf16_length(line) + 1
        if used > EXTRA_CHARS:
            break
        kept.append(line)
    missing = missing_required(values)
    if missing:
        kept.insert(min(len(kept), len(filled)), missing_line(missing))
    left = len(filled) + len(linked) - (len(kept) - (1 if missing else 0))
    if left:
        kept.append(_("…and {n} more: 🧩 Fields, 🔗 Links").format(n=left))
    return kept
