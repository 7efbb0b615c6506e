"""One line of a timeline, as the reader sees it."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from aiogram.utils.i18n import gettext as _

from crm.team_settings import Status
from handlers.views import member_name
from storage.models import Event, User

MAX_NOTE_SHOWN = 200


def shorten(text: str, limit: int = MAX_NOTE_SHOWN) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_label(name: str) -> str:
    labels = {
        "name": _("name"),
        "company": _("company"),
        "city": _("city"),
        "address": _("address"),
        "source": _("source"),
        "phones": _("phones"),
        "emails": _("emails"),
    }
    return labels.get(name, name)


def call_outcome_label(outcome: str) -> str:
    labels = {
        "reached": _("reached"),
        "no_answer": _("no answer"),
        "call_back": _("call back"),
    }
    return labels.get(outcome, outcome)


def file_kind_label(kind: str) -> str:
    labels = {
        "photo": _("photo"),
        "voice": _("voice message"),
        "document": _("file"),
        "video": _("video"),
        "audio": _("audio"),
        "video_note": _("video message"),
    }
    return labels.get(kind, kind)


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return shorten(str(value), 80)


def event_text(event: Event, people: dict[int, User], statuses: list[Status]) -> str:
    """What happened, without who and when."""
    from handlers.client_views import status_label

    data = event.data or {}
    kind = event.kind
    if kind == "client_created":
        return "✨ " + _("client added")
    if kind == "comment":
        return "💬 " + shorten(event.text or "")
    if kind == "call":
        outcome = call_outcome_label(str(data.get("outcome", "")))
        note = f": {shorten(event.text)}" if event.text else ""
        return f"📞 {outcome}{note}"
    if kind == "field_changed":
        return "✏️ {field}: {old} → {new}".format(
            field=field_label(str(data.get("field"))),
            old=_value(data.get("old")),
            new=_value(data.get("new")),
        )
    if kind == "status_changed":
        return "🏷 {old} → {new}".format(
            old=status_label(str(data.get("old")), statuses),
            new=status_label(str(data.get("new")), statuses),
        )
    if kind == "tags_changed":
        added = " ".join(f"+#{tag}" for tag in data.get("added", []))
        removed = " ".join(f"−#{tag}" for tag in data.get("removed", []))
        return "#️⃣ " + " ".join(part for part in (added, removed) if part)
    if kind == "manager_changed":

        def name(user_id: Any) -> str:
            user = people.get(int(user_id)) if user_id else None
            return member_name(user) if user else _("nobody")

        return "👤 " + _("responsible: {old} → {new}").format(
            old=name(data.get("old")), new=name(data.get("new"))
        )
    if kind == "file":
        label = file_kind_label(str(data.get("file_kind", "")))
        file_name = data.get("file_name")
        caption = f": {shorten(event.text)}" if event.text else ""
        return f"📎 {label}{' ' + str(file_name) if file_name else ''}{caption}"
    if kind == "archived":
        return "🗄 " + _("moved to the archive")
    if kind == "unarchived":
        return "♻️ " + _("restored from the archive")
    return kind


def event_line(event: Event, people: dict[int, User], tz: tzinfo, statuses: list[Status]) -> str:
    when = event.occurred_at.astimezone(tz).strftime("%d.%m %H:%M")
    actor = people.get(event.actor_id or 0)
    who = f" · {member_name(actor)}" if actor else ""
    return f"{when}{who}: {event_text(event, people, statuses)}"
