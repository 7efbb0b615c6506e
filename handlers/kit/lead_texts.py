"""Words of a form's lead on a card's history: what the form said, who took it, spam."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.utils.i18n import gettext as _

from handlers.kit.shorten import shorten

LEAD_KINDS = frozenset({"lead", "lead_taken", "lead_spam"})
MAX_FIELDS_SHOWN = 300  # the form's other fields and UTM tags, together


def lead_event_text(kind: str, data: Mapping[str, Any], text: str | None) -> str:
    """``📥 lead from Site: <the message> · <field>: <value> · utm_source: …``; a long message
    is cut (``handlers.kit.whole_text`` offers it whole). Taken and spam name no one: the
    line's member is who did it."""
    if kind == "lead_taken":
        return "✋ " + _("lead taken")
    if kind == "lead_spam":
        if data.get("archived"):
            return "🚫 " + _("lead marked as spam: the card went to the archive")
        return "🚫 " + _("lead marked as spam")
    source = shorten(str(data.get("source") or ""), 60)
    head = "📥 " + (_("lead from {source}").format(source=source) if source else _("lead"))
    fields = {**_pairs(data.get("fields")), **_pairs(data.get("utm"))}
    listed = " · ".join(
        f"{shorten(key, 40)}: {shorten(value, 80)}" for key, value in fields.items()
    )
    parts = [shorten(text)] if text else []
    if listed:
        parts.append(shorten(listed, MAX_FIELDS_SHOWN))
    return head + (": " + " · ".join(parts) if parts else "")


def _pairs(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items() if v} if isinstance(value, dict) else {}
