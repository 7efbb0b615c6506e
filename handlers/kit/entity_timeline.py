"""Timeline words for records, custom field values, links and deal lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.utils.i18n import gettext as _

from handlers.kit.automation_texts import automation_event_text
from handlers.kit.field_texts import plain_text


def record_event_text(kind: str, data: dict[str, object], text: str | None) -> str:
    """A record's event, or a custom field's, link's or line's on any card. A record is
    named "запись" (feminine) in Russian whatever its type, whose gender is unknown:
    "Поставщик" (m.) and "Накладная" (f.) alike read "запись создана"."""
    if kind == "record_created":
        return "✨ " + _("record created")
    if kind == "automation":
        return automation_event_text(data, {})
    if kind == "comment":
        return "💬 " + (text or "")
    if kind == "custom_field_changed":
        old, new = (plain_text(data.get("type"), data.get(key)) for key in ("old", "new"))
        return f"✏️ {data.get('field')}: {old} → {new}"
    if kind == "record_changed":
        return f"✏️ {_plain(data.get('old'))} → {_plain(data.get('new'))}"
    if kind == "link_added":
        return "🔗 " + _("linked: {title}").format(title=_linked_title(data))
    if kind == "line_changed":
        return "🧾 " + _("line changed: {title}").format(title=data.get("title"))
    if kind == "link_removed":
        return "✂️ " + _("unlinked: {title}").format(title=_linked_title(data))
    if kind == "archived":
        return "🗄 " + _("record moved to the archive")
    if kind == "unarchived":
        return "♻️ " + _("record restored from the archive")
    if kind == "imported":
        file = str(data.get("file") or "")[:60]
        return "📥 " + _("record imported from {file}").format(file=file) + missing_note(data)
    if kind == "import_undone":
        return "↩️ " + _("import from {file} undone").format(file=str(data.get("file") or "")[:60])
    return kind


def missing_note(data: Mapping[str, Any]) -> str:
    """A card made without a person (a lead, an import) says which required fields it lacks."""
    missing = data.get("missing")
    if not isinstance(missing, list) or not missing:
        return ""
    names = ", ".join(str(name) for name in missing)
    names = names if len(names) <= 100 else names[:99] + "…"
    return " · ⚠️ " + _("required, not filled: {names}").format(names=names)


def _plain(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _linked_title(data: Mapping[str, object]) -> object:
    """The linked card's title as it was, unless the reader may not see that card
    (``crm.unseen_links``)."""
    return _("a card you cannot open") if data.get("hidden") else data.get("title")
