"""How a client looks: the card with its timeline, and one-line summaries."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Italic, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm import visibility
from crm.cards import CardKind, CardRef
from crm.client_queries import ClientCard
from crm.team_settings import Status
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.clients.card_head import DEALS_SHOWN, card_head, deal_stage, deal_summary
from handlers.deals.callbacks import DealCb, NewDealCb
from handlers.kit.history_page import HistoryPage, history_page
from handlers.kit.screen import MESSAGE_CHARS, utf16_length
from handlers.kit.stages import STAGE_ICONS, money, stage_name
from handlers.kit.timeline import event_line
from handlers.kit.whole_text import read_whole_rows
from handlers.records.views import card_buttons
from handlers.tasks.card_buttons import task_rows
from handlers.tasks.views import task_button
from handlers.templates.views import send_button
from storage.models import Client, User

CARD_PAGE = 10
HEADING_ROOM = 60  # "History (1–10 of 12345)" and the line breaks around it


def client_summary(client: Client) -> str:
    """One line for lists and search results: name, and company or city."""
    extra = client.company or client.city
    return f"{client.name} · {extra}" if extra else client.name


def deal_button(deal_id: int, icon: str, summary: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=f"{icon} {summary}", callback_data=DealCb(action="open", deal_id=deal_id).pack()
    )


def render_card(
    card: ClientCard,
    reader: User,
    statuses: list[Status],
    page: int = 0,
    extra: Sequence[str] = (),
    extra_rows: Sequence[list[InlineKeyboardButton]] = (),
) -> tuple[Text, InlineKeyboardMarkup]:
    """``extra``: lines of custom fields and links (handlers.records) and the client's
    Telegram chat; ``extra_rows``: that chat's buttons (handlers.business)."""
    tz = ZoneInfo(reader.timezone)
    # The open card is visible: what the member sends next lands in this history.
    hint = [as_line(), Italic(_("✍️ What you send now goes into this card's history."))]
    history = None
    if card.events:
        titles = {line.deal.id: line.deal.title for line in card.deals}
        stages = {line.deal.stage_id: deal_stage(line) for line in card.deals}
        lines = [
            as_line(event_line(e, card.actors, tz, statuses, stages=stages, deal_titles=titles))
            for e in card.events
        ]
        # Whatever the fields, deals and tasks hold, the top part leaves room for the newest
        # event, and the history fits the rest: the card stays within Telegram's limit.
        room = _units(lines[0], *hint) + HEADING_ROOM
        head = card_head(card, reader, statuses, extra, MESSAGE_CHARS - room)
        history = history_page([head], lines, hint, page, card.events_total)
        text = history.text
    else:
        empty = [as_line(Italic(_("No history yet."))), *hint]
        head = card_head(card, reader, statuses, extra, MESSAGE_CHARS - _units(*empty))
        text = Text(head, *empty)
    return text, card_keyboard(card, reader, page, extra_rows, history)


def _units(*parts: Text | str) -> int:
    return utf16_length(Text(*parts).render()[0])


def card_keyboard(
    card: ClientCard,
    reader: User,
    page: int,
    extra_rows: Sequence[list[InlineKeyboardButton]] = (),
    history: HistoryPage | None = None,
) -> InlineKeyboardMarkup:
    """``page``: the first event of the history shown; ``history``: the page shown."""
    client_id = card.client.id

    def button(
        text: str, action: CardAction, to_page: int = page, at: int = 0, ref: int = 0
    ) -> InlineKeyboardButton:
        data = ClientCb(action=action, client_id=client_id, page=to_page, at=at, ref=ref)
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    rows = [
        [button(_("💬 Comment"), CardAction.COMMENT), button(_("📞 Call"), CardAction.CALL)],
        [
            button(_("✏️ Edit"), CardAction.EDIT),
            button(_("🏷 Status"), CardAction.STATUS),
            button(_("#️⃣ Tags"), CardAction.TAGS),
        ],
    ]
    for line in card.deals[:DEALS_SHOWN]:
        amount = money(line.deal.amount_minor, line.deal.currency)
        summary = deal_summary(line.deal.title, amount, stage_name(deal_stage(line)))
        rows.append([deal_button(line.deal.id, STAGE_ICONS.get(line.stage_kind, "▫️"), summary)])
    new_deal = InlineKeyboardButton(
        text=_("💼 New deal"),
        callback_data=NewDealCb(action="start", client_id=client_id).pack(),
    )
    if len(card.deals) > DEALS_SHOWN:
        label = _("💼 All deals ({n})").format(n=len(card.deals))
        rows.append([new_deal, button(label, CardAction.DEALS)])
    else:
        rows.append([new_deal])
    rows[-1].append(task_button(client_id=client_id))
    rows.extend(task_rows(card.open_tasks, reader))  # one tap opens a task
    rows.append([*card_buttons(CardRef(CardKind.CLIENT, client_id)), send_button(client_id)])
    rows.extend(row for row in extra_rows if row)
    nav = []
    if history is not None and history.newer is not None:
        nav.append(button(_("◀️ Newer"), CardAction.FROM, to_page=history.newer))
    if history is not None and history.older is not None:
        nav.append(button(_("Older ▶️"), CardAction.FROM, to_page=history.older))
    if nav:
        rows.append(nav)
    shown = history.of(card.events) if history is not None else card.events
    if any(event.kind == "file" for event in shown):
        # the events the card shows (``at`` of them, ``ref`` the newest); its files are theirs
        files = button(
            _("📎 Files on this page"), CardAction.SHOWN_FILES, ref=shown[0].id, at=len(shown)
        )
        rows.append([files])
    rows.extend(read_whole_rows(shown))
    last_row = []
    if visibility.can_reassign(reader):
        last_row.append(button(_("👤 Responsible"), CardAction.MANAGER))
    if card.client.archived_at is None:
        last_row.append(button(_("🗄 Archive"), CardAction.ARCHIVE))
    else:
        last_row.append(button(_("♻️ Restore"), CardAction.UNARCHIVE))
    if visibility.can_delete(reader):
        last_row.append(button(_("🗑 Delete"), CardAction.DELETE))
    rows.append(last_row)
    rows.append([button(_("🔄 Refresh"), CardAction.OPEN, to_page=0)])
    return InlineKeyboardMarkup(inline_keyboard=rows)
