"""The top part of a client's card: its fields, custom fields and links, deals and open tasks,
within the room its history leaves.

The history is fitted to the message (``kit.history_page``), but only after the top part:
ten open tasks of 480 characters, or a client with many phones, fields and deals, made a top
part past Telegram's 4096 units, and the card ("Something went wrong") could not be opened.
The lists of the top part are cut now, the longest first, each saying how many it left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.utils.formatting import Bold, Italic, Text, as_line
from aiogram.utils.i18n import gettext as _

from crm.client_queries import ClientCard, DealLine
from crm.pipeline import StageView
from crm.team_settings import Status
from handlers.kit.labels import format_phone, member_name, status_label
from handlers.kit.screen import Rendered, cut_to_fit
from handlers.kit.stages import money, stage_name
from handlers.kit.timeline import shorten
from handlers.tasks.card_buttons import task_lines
from storage.models import User

MAX_TAGS_SHOWN = 15
DEALS_SHOWN = 5  # on the card; "All deals" lists the rest


def deal_stage(line: DealLine) -> StageView:
    return StageView(line.deal.stage_id, line.stage_code, line.stage_name, line.stage_kind, 0, None)


def deal_summary(title: str, amount: str, stage: str, limit: int = 60) -> str:
    """``Supply · 150 000 ₽ · Meeting``, the title shortened first."""
    tail = f" · {amount} · {stage}"
    return shorten(title, max(limit - len(tail), 10)) + tail


def card_head(
    card: ClientCard, reader: User, statuses: list[Status], extra: Sequence[str], limit: int
) -> Text:
    """The top part within ``limit`` UTF-16 units. ``extra``: lines of custom fields and
    links (handlers.records) and the client's Telegram chat."""
    client, contacts = card.client, card.contacts
    tz = ZoneInfo(reader.timezone)
    contact_lines = [as_line("📞 ", format_phone(phone)) for phone in contacts.phones]
    contact_lines += [as_line("✉️ ", email) for email in contacts.emails]
    extra_lines = [as_line(line) for line in extra]
    deal_lines = []
    for line in card.deals[:DEALS_SHOWN]:
        amount = money(line.deal.amount_minor, line.deal.currency)
        summary = deal_summary(line.deal.title, amount, stage_name(deal_stage(line)), 120)
        deal_lines.append(as_line("• ", summary))
    tasks = task_lines(card.open_tasks, tz)

    def more(left: int) -> list[Text]:
        return [as_line(_("…and {n} more").format(n=left))] if left > 0 else []

    def fields_more(left: int) -> list[Text]:
        return [as_line(_("…more in 🧩 Fields, 🔗 Links"))] if left > 0 else []

    def head(shown: Sequence[int]) -> Text:
        contacts_shown, extra_shown, deals_shown, tasks_shown = shown
        parts: list[Text] = [as_line(Bold("👤 ", client.name))]
        if client.archived_at is not None:
            parts.append(as_line(Italic(_("In the archive"))))
        if client.company:
            parts.append(as_line("🏢 ", client.company))
        parts += contact_lines[:contacts_shown] + more(len(contact_lines) - contacts_shown)
        parts += _about(card, tz, statuses)
        parts += extra_lines[:extra_shown] + fields_more(len(extra_lines) - extra_shown)
        if card.deals:
            parts += [as_line(), as_line(Bold(_("Deals"))), *deal_lines[:deals_shown]]
            parts += more(len(card.deals) - deals_shown)
        if card.open_tasks:
            parts += [as_line(), as_line(Bold(_("Open tasks"))), *tasks[:tasks_shown]]
            parts += more(card.open_tasks_total - tasks_shown)
        parts.append(as_line())
        return Rendered(*parts)

    lists: list[Sequence[Text]] = [contact_lines, extra_lines, deal_lines, tasks]
    fitted, _shown = cut_to_fit(head, [len(lines) for lines in lists], limit)
    return fitted


def _about(card: ClientCard, tz: ZoneInfo, statuses: list[Status]) -> list[Text]:
    """Where the client is, their status, source and tags, who is responsible, who added them."""
    client, tags = card.client, card.contacts.tags
    parts: list[Text] = []
    place = ", ".join(p for p in (client.city, client.address) if p)
    if place:
        parts.append(as_line("📍 ", place))
    status = status_label(client.status, statuses)
    parts.append(as_line(_("Status: {status}").format(status=status)))
    if client.source:
        parts.append(as_line(_("Source: {source}").format(source=client.source)))
    if tags:
        shown = " ".join(f"#{tag}" for tag in tags[:MAX_TAGS_SHOWN])
        ellipsis = "…" if len(tags) > MAX_TAGS_SHOWN else ""
        parts.append(as_line(_("Tags: {tags}").format(tags=shown + ellipsis)))
    manager = member_name(card.manager) if card.manager else _("nobody")
    parts.append(as_line(_("Responsible: {name}").format(name=manager)))
    creator = member_name(card.creator) if card.creator else "—"
    created = client.created_at.astimezone(tz).strftime("%d.%m.%Y %H:%M")
    parts.append(as_line(_("Created {date} by {name}").format(date=created, name=creator)))
    return parts
