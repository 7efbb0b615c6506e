"""What the team's group chat reads: announcements, a burst folded into one message."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aiogram.utils.formatting import Bold, Text, as_line
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from handlers.kit.screen import clipped
from handlers.kit.stages import money, reason_said

MAX_ITEMS = 15
ITEMS_CHARS = 3200  # of a message's 4096 UTF-16 units, the rest for headings


def _item(topic: str, item: dict[str, Any]) -> str:
    amount = money(int(item.get("amount") or 0), str(item.get("currency") or "RUB"))
    if topic == "new_client":
        company = f" ({item['company']})" if item.get("company") else ""
        return f"{item.get('name', '')}{company}"
    if topic == "new_deal":
        return f"{item.get('title', '')} — {item.get('client', '')}, {amount}"
    if topic == "deal_won":
        return f"{item.get('title', '')}, {amount}"
    if topic == "deal_lost":
        # a built-in reason in the group's words, whoever chose it («дорого»: "too expensive")
        reason = f" ({reason_said(str(item['reason']))})" if item.get("reason") else ""
        return f"{item.get('title', '')}, {amount}{reason}"
    assignee = f" — {item['assignee']}" if item.get("assignee") else ""
    return f"{item.get('title', '')}{assignee}"


def _heading(topic: str, count: int) -> str:
    if topic == "new_client":
        return ngettext("🆕 {n} new client", "🆕 {n} new clients", count).format(n=count)
    if topic == "new_deal":
        return ngettext("💼 {n} new deal", "💼 {n} new deals", count).format(n=count)
    if topic == "deal_won":
        return ngettext("🏆 {n} deal won", "🏆 {n} deals won", count).format(n=count)
    if topic == "deal_lost":
        return ngettext("❌ {n} deal lost", "❌ {n} deals lost", count).format(n=count)
    return ngettext(
        "⏳ {n} task overdue by more than a day", "⏳ {n} tasks overdue by more than a day", count
    ).format(n=count)


def group_text(kind: str, payload: dict[str, Any]) -> Text:
    """One message for one announcement or a folded burst of them."""
    items = payload.get("items") or [payload]
    kinds = payload.get("kinds") or [kind]
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item_kind, item in zip(kinds, items, strict=True):
        by_topic[str(item_kind).removeprefix("group_")].append(item)
    shown = sum(min(len(topic_items), MAX_ITEMS) for topic_items in by_topic.values())
    each = max(ITEMS_CHARS // shown, 40)  # long names and titles share the message's room
    parts = []
    for topic, topic_items in by_topic.items():
        parts.append(as_line(Bold(_heading(topic, len(topic_items)))))
        for item in topic_items[:MAX_ITEMS]:
            parts.append(as_line("• ", clipped(_item(topic, item), each)))
        if len(topic_items) > MAX_ITEMS:
            parts.append(as_line(_("…and {n} more").format(n=len(topic_items) - MAX_ITEMS)))
    return Text(*parts)
