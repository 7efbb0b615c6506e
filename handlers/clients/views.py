"""How a client looks: the card with its timeline, and one-line summaries."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.formatting import Bold, Italic, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm import visibility
from crm.cards import CardKind, CardRef
from crm.client_queries import ClientCard, DealLine
from crm.pipeline import StageView
from crm.team_settings import Status
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.deals.callbacks import DealCb, NewDealCb
from handlers.kit.history_page import HistoryPage, history_page
from handlers.kit.labels import format_phone, member_name, status_label
from handlers.kit.stages import STAGE_ICONS, money, stage_name
from handlers.kit.timeline import event_line, shorten
from handlers.kit.whole_text import read_whole_rows
from handlers.records.views import card_buttons
from handlers.tasks.card_buttons import task_rows
from handlers.tasks.views import task_button
from handlers.templates.views import send_button
from storage.models import Client, User

CARD_PAGE = 10
MAX_TAGS_SHOWN = 15
DEALS_SHOWN = 5  # on the card; "All deals" lists the rest


def client_summary(client: Client) -> str:
    """One line for lists and search results: name, and company or city."""
    extra = client.company or client.city
    return f"{client.name} · {extra}" if extra else client.name


def deal_stage(line: DealLine) -> StageView:
    return StageView(line.deal.stage_id, line.stage_code, line.stage_name, line.stage_kind, 0, None)


def deal_summary(title: str, amount: str, stage: str, limit: int = 60) -> str:
    """``Supply · 150 000 ₽ · Meeting``, the title shortened first."""
    tail = f" · {amount} · {stage}"
    return shorten(title, max(limit - len(tail), 10)) + tail


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
    client, contacts = card.client, card.contacts
    tz = ZoneInfo(reader.timezone)
    parts: list[Text] = [as_line(Bold("👤 ", client.name))]
    if client.archived_at is not None:
        parts.append(as_line(Italic(_("In the archive"))))
    if client.company:
        parts.append(as_line("🏢 ", client.company))
    for phone in contacts.phones:
        parts.append(as_line("📞 ", format_phone(phone)))
    for email in contacts.emails:
        parts.append(as_line("✉️ ", email))
    place = ", ".join(p for p in (client.city, client.address) if p)
    if place:
        parts.append(as_line("📍 ", place))
    parts.append(
        as_line(_("Status: {status}").format(status=status_label(client.status, statuses)))
    )
    if client.source:
        parts.append(as_line(_("Source: {source}").format(source=client.source)))
    if contacts.tags:
        shown = " ".join(f"#{tag}" for tag in contacts.tags[:MAX_TAGS_SHOWN])
        more = "…" if len(contacts.tags) > MAX_TAGS_SHOWN else ""
        parts.append(as_line(_("Tags: {tags}").format(tags=shown + more)))
    manager = member_name(card.manager) if card.manager else _("nobody")
    parts.append(as_line(_("Responsible: {name}").format(name=manager)))
    creator = member_name(card.creator) if card.creator else "—"
    created = client.created_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    parts.append(as_line(_("Created {date} by {name}").format(date=created, name=creator)))
    parts.extend(as_line(line) for line in extra)
    if card.deals:
        parts.append(as_line())
        parts.append(as_line(Bold(_("Deals"))))
        for line in card.deals[:DEALS_SHOWN]:
            amount = money(line.deal.amount_minor, line.deal.currency)
            summary = deal_summary(line.deal.title, amount, stage_name(deal_stage(line)), 120)
            parts.append(as_line("• ", summary))
        if len(card.deals) > DEALS_SHOWN:
            parts.append(as_line(_("…and {n} more").format(n=len(card.deals) - DEALS_SHOWN)))
    if card.open_tasks:
        parts.append(as_line())
        parts.append(as_line(Bold(_("Open tasks"))))
        for task in card.open_tasks:
            due = task.due_at.astimezone(tz).strftime("%d.%m %H:%M")
            parts.append(as_line("• ", due, " ", task.title))
    parts.append(as_line())
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
        # Whatever the fields hold, the card stays within Telegram's 4096 characters.
        history = history_page(parts, lines, hint, page, card.events_total)
        text = history.text
    else:
        parts.append(as_line(Italic(_("No history yet."))))
        text = Text(*parts, *hint)
    return text, card_keyboard(card, reader, page, extra_rows, history)


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
        text: str, action: CardAction, to_page: int = page, at: int = 0
    ) -> InlineKeyboardButton:
        data = ClientCb(action=action, client_id=client_id, page=to_page, at=at)
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
        # ``at``: how many of the page's events the card shows; its files are theirs
        rows.append([button(_("📎 Files on this page"), CardAction.FILES, at=len(shown))])
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
