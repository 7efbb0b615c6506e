"""Words of the Telegram Business inbox that the kit shows: a chat message on a timeline,
and the refusals of a reply from the card."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.errors import CrmError, ErrorCode

MAX_SHOWN = 200


def business_event_text(kind: str, data: Mapping[str, Any], text: str | None) -> str:
    """``✈️ client: text`` (or ``✈️ you``), with the file's kind, an edit and a deletion noted;
    or the chat left out of the card, or taken back."""
    if kind == "business_chat_excluded":
        return "🙈 " + _("Telegram chat left out of the card")
    if kind == "business_chat_included":
        return "✈️ " + _("Telegram chat recorded on the card again")
    who = _("client") if data.get("from") == "client" else _("answered in Telegram")
    parts = []
    if data.get("file_kind"):
        parts.append(f"📎 {_file_label(str(data['file_kind']))}")
    if data.get("phone"):
        parts.append("📞 " + str(data["phone"])[:32])
        if data.get("phone_elsewhere"):
            parts.append(_("(another client has this number: not added to the card)"))
        elif data.get("phone_not_theirs"):
            parts.append(_("(someone else's contact: not added to the card)"))
    if text:
        shown = " ".join(text.split())
        parts.append(shown if len(shown) <= MAX_SHOWN else shown[: MAX_SHOWN - 1] + "…")
    line = f"✈️ {who}: " + (" ".join(parts) or "…")
    if data.get("edited_at"):
        line += " " + _("(edited)")
    if data.get("deleted_at"):
        line += " " + _("(deleted in Telegram)")
    return line


def _file_label(kind: str) -> str:
    labels = {
        "photo": _("photo"),
        "voice": _("voice message"),
        "document": _("file"),
        "video": _("video"),
        "audio": _("audio"),
        "video_note": _("video message"),
        "sticker": _("sticker"),
    }
    return labels.get(kind, kind)


def business_error_text(error: CrmError) -> str | None:
    texts = {
        "business_no_chat": _("This client has no Telegram chat connected through Business."),
        "business_not_yours": _(
            "This chat is in another member's Telegram account: "
            "only they can reply or leave it out."
        ),
        "business_inbox_off": _("The owner has switched the Telegram Business inbox off."),
        "business_disconnected": _(
            "Your Telegram Business account is disconnected from the bot; connect it again first."
        ),
        "business_excluded": _("This chat is left out of the card; record it again to reply."),
        "business_no_rights": _(
            "The bot may not reply for you: allow replying in Telegram "
            "(Settings → Telegram Business → Chatbots)."
        ),
        "business_too_late": _(
            "Too late: Telegram lets you reply through the bot only within 24 hours of the "
            "customer's last message. Write to them in Telegram yourself."
        ),
        "business_not_connected": _("Your Telegram Business account is not connected."),
    }
    if error.code == "business_template_gaps":
        names = str(error.params.get("names") or "")[:200]
        return _(
            "The template has no value here for: {names}. Fill them on the card first."
        ).format(names=names)
    if error.code == ErrorCode.TOO_LONG and error.params.get("field") == "reply":
        return reply_too_long(int(error.params["limit"]), int(error.params["length"]))
    return texts.get(error.code)


def reply_too_long(limit: int, length: int) -> str:
    """A reply over Telegram's limit, told in the units Telegram counts (an emoji is two)."""
    over = length - limit
    return ngettext(
        "The reply is {over} character too long for Telegram: at most {limit}, "
        "and Telegram counts an emoji as two. Please make it shorter.",
        "The reply is {over} characters too long for Telegram: at most {limit}, "
        "and Telegram counts an emoji as two. Please make it shorter.",
        over,
    ).format(over=over, limit=limit)
