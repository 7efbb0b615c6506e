"""Record types, a type's list and a record's card. Pure: data → text + buttons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Italic, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm import visibility
from crm.cards import CardKind, CardRef
from crm.record_queries import RecordCard, RecordPage
from crm.record_types import Starter
from handlers.imports.callbacks import ExportWhat, export_button
from handlers.kit.entity_timeline import record_event_text
from handlers.kit.field_filters import fields_label
from handlers.kit.history_page import history_page
from handlers.kit.screen import MESSAGE_CHARS
from handlers.kit.timeline import event_text, shorten
from handlers.records.callbacks import Ent, RecList, RecordListCb
from handlers.records.record_head import HEADING_ROOM, record_head, units
from handlers.records.views import (
    MAX_BUTTON_TITLE,
    button,
    card_buttons,
    cb,
)
from handlers.tasks.card_buttons import task_rows
from storage.models import Event, RecordType, User

PER_PAGE = 8


def starter_name(starter: Starter, language: str) -> str:
    return starter.plural[1 if language == "en" else 0]


def types_screen(
    types: list[RecordType], starters: list[Starter], owner: bool, language: str
) -> tuple[Text, InlineKeyboardMarkup]:
    parts: list[Text | str] = [as_line(Bold(_("Records")))]
    rows = [
        [button(f"{t.emoji} {shorten(t.plural, MAX_BUTTON_TITLE)}", cb(Ent.LIST, type_id=t.id))]
        for t in types
    ]
    if not types:
        parts.append(as_line(_("No record types yet.")))
    if owner and starters:
        parts.append(as_line(_("Ready-made types: take one with a tap, or skip it.")))
        for starter in starters:
            name = f"{starter.emoji} {starter_name(starter, language)}"
            rows.append(
                [
                    button(_("➕ {name}").format(name=name), cb(Ent.STARTER, item=index(starter))),
                    button(_("Skip"), cb(Ent.SKIP_STARTER, item=index(starter))),
                ]
            )
    if owner:
        rows.append([button(_("⚙️ Types and fields"), cb(Ent.SETTINGS))])
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


def index(starter: Starter) -> int:
    from crm.record_types import STARTER_CODES

    return STARTER_CODES.index(starter.code)


def list_screen(
    record_type: RecordType,
    page: RecordPage,
    archived: bool,
    chosen: list[str] | None = None,
    packed: str = "",
    filters: int = 0,
) -> tuple[Text, InlineKeyboardMarkup]:
    """``chosen``: the field filters in words; ``packed``: the same for the buttons."""
    title = f"{record_type.emoji} {record_type.plural}"
    parts: list[Text | str] = [as_line(Bold(title + (_(" (archive)") if archived else "")))]
    parts.extend(as_line(line) for line in chosen or [])
    parts.append(as_line(_("Found: {n}").format(n=page.total)))
    if page.records:  # as the client list says it
        where = _("Page {page} of {pages}, latest activity first. Tap one to open its card.")
        parts.append(as_line(where.format(page=page.page + 1, pages=page.pages)))
    rows = [
        [button(shorten(r.title, MAX_BUTTON_TITLE), cb(Ent.RECORD, CardRef(CardKind.RECORD, r.id)))]
        for r in page.records
    ]
    nav = []
    if page.page > 0:
        nav.append(button("◀️", list_cb(record_type.id, archived, packed, page.page - 1)))
    if page.page < page.pages - 1:
        nav.append(button("▶️", list_cb(record_type.id, archived, packed, page.page + 1)))
    if nav:
        rows.append(nav)
    fields = RecordListCb(
        action=RecList.FIELDS, type_id=record_type.id, archived=archived, f=packed
    )
    rows.append(
        [
            button(_("➕ New"), cb(Ent.NEW_RECORD, type_id=record_type.id)),
            button(fields_label(filters), fields.pack()),
            button(
                # the list of the archive, not "move to the archive" as on a card
                _("📋 Current") if archived else _("🗄 Archived"),
                list_cb(record_type.id, not archived, packed),
            ),
        ]
    )
    rows.append(
        [
            button(_("🔍 Find"), cb(Ent.SEARCH, type_id=record_type.id, item=int(archived))),
            export_button(ExportWhat.RECORDS, type_id=record_type.id, archived=archived, f=packed),
        ]
    )
    if packed:
        rows.append([button(_("✖️ Clear field filters"), list_cb(record_type.id, archived, "", 0))])
    rows.append([button(_("◀️ Types"), cb(Ent.TYPES))])
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=rows)


def list_cb(type_id: int, archived: bool, packed: str, page: int = 0) -> str:
    """A list page's button: the plain list, or the list with its field filters."""
    if not packed:
        return cb(Ent.LIST, type_id=type_id, page=page, item=1 if archived else 0)
    return RecordListCb(
        action=RecList.SHOW, type_id=type_id, page=page, archived=archived, f=packed
    ).pack()


# A card's ``Ent.RECORD`` button: ``item`` says what ``page`` is (an older message's
# buttons name a page of EVENTS_PER_PAGE events: ``item`` 0).
RENAME = 1
FROM_EVENT = 2  # ``page``: the first event of the history to show (0: the newest)


# Worded as on a client's timeline: a file's kind and caption, the old and new responsible.
AS_ON_CLIENTS = frozenset({"file", "manager_changed"})


def record_line_text(event: Event, people: Mapping[int, User]) -> str:
    if event.kind in AS_ON_CLIENTS or event.kind.startswith("task_"):  # a rule's task on it
        return event_text(event, people, [])
    return record_event_text(event.kind, event.data, event.text)


def record_screen(
    card: RecordCard, reader: User, tz: tzinfo, types: Mapping[int, RecordType]
) -> tuple[Text, InlineKeyboardMarkup]:
    record = card.record
    ref = CardRef(CardKind.RECORD, record.id)
    lines = []
    for event in card.events:
        when = event.occurred_at.astimezone(tz).strftime("%d.%m %H:%M")
        said = record_line_text(event, card.actors)
        lines.append(as_line(shorten(f"{when} · {said}", 200)))
    # The open card: what is sent next lands in this history (an archived one takes text,
    # as an archived client's does, but refuses files).
    hint: list[Text | str] = [
        as_line(),
        Italic(_("✍️ What you send now goes into this card's history.")),
    ]
    if record.archived_at is not None:
        hint = [as_line(), Italic(_("✍️ Text sent now goes into this card's history."))]
    # Whatever the fields, the tasks and the history hold, the card stays within Telegram's
    # limit: the top part leaves room for the newest event, the history fits the rest.
    room = units(lines[0], *hint) + HEADING_ROOM if lines else units(*hint)
    head = record_head(card, tz, types, MESSAGE_CHARS - room)
    history = history_page([head, as_line("")], lines, hint, card.first, card.events_total)
    text = history.text if card.events else Text(head, *hint)
    rows = [card_buttons(ref), *task_rows(card.open_tasks, reader)]  # one tap opens a task
    nav = []
    if history.newer is not None:
        nav.append(button(_("◀️ Newer"), cb(Ent.RECORD, ref, page=history.newer, item=FROM_EVENT)))
    if history.older is not None:
        nav.append(button(_("Older ▶️"), cb(Ent.RECORD, ref, page=history.older, item=FROM_EVENT)))
    if nav:
        rows.append(nav)
    shown = history.of(card.events)
    if any(event.kind == "file" for event in shown):  # the events shown: the newest, how many
        files = cb(Ent.SHOWN_FILES, ref, item=shown[0].id, page=len(shown))
        rows.append([button(_("📎 Files on this page"), files)])
    rows.append(
        [
            button(_("💬 Comment"), cb(Ent.COMMENT, ref)),
            button(_("✏️ Rename"), cb(Ent.RECORD, ref, item=RENAME)),
        ]
    )
    last = []
    if visibility.can_reassign(reader):
        last.append(button(_("👤 Responsible"), cb(Ent.MANAGER, ref)))
    if record.archived_at is None:
        last.append(button(_("🗄 Archive"), cb(Ent.ARCHIVE, ref)))
    else:
        last.append(button(_("♻️ Restore"), cb(Ent.RESTORE, ref)))
    if visibility.can_delete(reader):
        last.append(button(_("🗑 Delete"), cb(Ent.DELETE, ref)))
    rows.append(last)
    rows.append(
        [button(_("◀️ {name}").format(name=card.type.plural), cb(Ent.LIST, type_id=record.type_id))]
    )
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def search_screen(
    record_type: RecordType, page: RecordPage, archived: bool, query: str
) -> tuple[Text, InlineKeyboardMarkup]:
    """A type's records found by name: the first page of them, another search welcome."""
    title = f"{record_type.emoji} {record_type.plural}"
    parts: list[Text | str] = [as_line(Bold(title + (_(" (archive)") if archived else "")))]
    parts.append(as_line(_("Search: {query}").format(query=shorten(query, 60))))
    parts.append(as_line(_("Found: {n}").format(n=page.total)))
    if page.total > len(page.records):
        parts.append(
            as_line(_("The first {n} shown: send more letters.").format(n=len(page.records)))
        )
    parts.append(as_line(_("Pick one, or send another search.")))
    rows = [
        [button(shorten(r.title, MAX_BUTTON_TITLE), cb(Ent.RECORD, CardRef(CardKind.RECORD, r.id)))]
        for r in page.records
    ]
    rows.append([button(_("◀️ Back to the list"), list_cb(record_type.id, archived, ""))])
    return Text(*parts), InlineKeyboardMarkup(inline_keyboard=rows)
