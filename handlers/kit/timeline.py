"""One line of a timeline, as the reader sees it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, tzinfo
from typing import Any

from aiogram.utils.i18n import gettext as _

from crm import event_data as payloads
from crm.event_data import data_of
from crm.pipeline import StageView
from crm.team_settings import Status
from handlers.kit.automation_texts import automation_event_text, template_event_text
from handlers.kit.business_texts import business_event_text
from handlers.kit.entity_timeline import missing_note, record_event_text
from handlers.kit.event_labels import (
    call_outcome_label,
    deal_field_label,
    field_label,
    file_kind_label,
)
from handlers.kit.labels import format_phone, member_name, status_label
from handlers.kit.lead_texts import LEAD_KINDS, lead_event_text
from handlers.kit.shorten import MAX_NOTE_SHOWN as MAX_NOTE_SHOWN
from handlers.kit.shorten import shorten as shorten
from handlers.kit.stages import money, reason_said, stage_name, stage_name_from_event
from storage.models import Event, User

DEAL_KINDS = frozenset(
    {"deal_created", "stage_changed", "deal_won", "deal_lost", "deal_reopened", "deal_changed"}
)


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return shorten(str(value), 80)


def _phones(value: Any) -> Any:
    return [format_phone(str(phone)) for phone in value] if isinstance(value, list) else value


def _person(user_id: Any, people: Mapping[int, User]) -> str:
    if not user_id:
        return _("nobody")
    user = people.get(int(user_id))
    return member_name(user) if user else _("member {id}").format(id=user_id)


def _day(value: Any) -> str:
    if not value:
        return "—"
    try:
        return date.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return _value(value)


def _stage(data: Mapping[str, Any], prefix: str, stages: Mapping[int, StageView] | None) -> str:
    """The stage an event names; a move off a deleted stage may know its target only by id."""
    if data.get(f"{prefix}_name") or data.get(f"{prefix}_code"):
        return stage_name_from_event(data, prefix)
    stage = (stages or {}).get(int(data.get(prefix) or 0))
    return stage_name(stage) if stage else "—"


def _direction(data: Mapping[str, Any], stages: Mapping[int, StageView] | None) -> str:
    """➡️ for a move forward, ⬅️ for a move back (when both stages are still known)."""
    source = (stages or {}).get(int(data.get("from") or 0))
    target = (stages or {}).get(int(data.get("to") or 0))
    if source is not None and target is not None and target.position < source.position:
        return "⬅️"
    return "➡️"


def deal_event_text(
    event: Event, people: Mapping[int, User], stages: Mapping[int, StageView] | None = None
) -> str:
    """A deal's event: created, moved, won, lost, reopened, or a field changed."""
    data = data_of(event, payloads.StageMove)  # deal_created and deal_changed read their own below
    kind = event.kind
    currency = str(data.get("currency") or "")
    amount = money(int(data.get("amount") or 0), currency)
    if kind == "deal_created":
        return "🆕 " + _("deal created: {amount}, {stage}").format(
            amount=amount, stage=_stage(data, "to", stages)
        )
    if kind == "stage_changed":
        line = _direction(data, stages) + " {old} → {new}".format(
            old=_stage(data, "from", stages), new=_stage(data, "to", stages)
        )
        return line + (" " + _("(the stage was deleted)") if data.get("stage_deleted") else "")
    if kind == "deal_won":
        return "🏆 " + _("won: {amount}").format(amount=amount)
    if kind == "deal_lost":
        return "❌ " + _("lost: {amount}; reason: {reason}").format(
            amount=amount, reason=shorten(reason_said(str(data.get("reason") or "—")))
        )
    if kind == "deal_reopened":
        return "♻️ " + _("reopened: {old} → {new}").format(
            old=_stage(data, "from", stages), new=_stage(data, "to", stages)
        )
    changed = data_of(event, payloads.DealChanged)
    field = str(changed.get("field"))
    old, new = changed.get("old"), changed.get("new")
    if field == "amount":
        shown = (money(int(old or 0), currency), money(int(new or 0), currency))
    elif field == "expected_close":
        shown = (_day(old), _day(new))
    elif field == "manager_id":
        shown = (_person(old, people), _person(new, people))
    else:
        shown = (_value(old), _value(new))
    return f"✏️ {deal_field_label(field)}: {shown[0]} → {shown[1]}"


# Custom field values, links and deal lines: worded by handlers.records.
ENTITY_KINDS = frozenset({"custom_field_changed", "link_added", "link_removed", "line_changed"})


def event_text(
    event: Event,
    people: Mapping[int, User],
    statuses: list[Status],
    stages: Mapping[int, StageView] | None = None,
) -> str:
    """What happened, without who and when."""
    data = event.data or {}
    kind = event.kind
    if kind in DEAL_KINDS:
        return deal_event_text(event, people, stages)
    if kind == "client_created":
        return "✨ " + _("client added")
    if kind == "comment":
        return "💬 " + shorten(event.text or "")
    if kind == "call":
        outcome = call_outcome_label(str(data_of(event, payloads.CallLogged).get("outcome", "")))
        note = f": {shorten(event.text)}" if event.text else ""
        return f"📞 {outcome}{note}"
    if kind == "field_changed":
        changed = data_of(event, payloads.FieldChanged)
        field = str(changed.get("field"))
        old, new = changed.get("old"), changed.get("new")
        if field == "phones":  # shown for reading, not as stored (E.164)
            old, new = _phones(old), _phones(new)
        return f"✏️ {field_label(field)}: {_value(old)} → {_value(new)}"
    if kind == "status_changed":
        status = data_of(event, payloads.StatusChanged)
        return "🏷 {old} → {new}".format(
            old=status_label(str(status.get("old")), statuses),
            new=status_label(str(status.get("new")), statuses),
        )
    if kind == "tags_changed":
        tags = data_of(event, payloads.TagsChanged)
        added = " ".join(f"+#{tag}" for tag in tags.get("added", []))
        removed = " ".join(f"−#{tag}" for tag in tags.get("removed", []))
        return "#️⃣ " + " ".join(part for part in (added, removed) if part)
    if kind == "manager_changed":

        def name(user_id: Any) -> str:
            user = people.get(int(user_id)) if user_id else None
            return member_name(user) if user else _("nobody")

        managers = data_of(event, payloads.ManagerChanged)
        return "👤 " + _("responsible: {old} → {new}").format(
            old=name(managers.get("old")), new=name(managers.get("new"))
        )
    if kind == "file":
        attached = data_of(event, payloads.FileAttached)
        label = file_kind_label(str(attached.get("file_kind", "")))
        file_name = attached.get("file_name")
        caption = f": {shorten(event.text)}" if event.text else ""
        return f"📎 {label}{' ' + str(file_name) if file_name else ''}{caption}"
    if kind in ENTITY_KINDS:
        return record_event_text(kind, data, event.text)
    if kind.startswith("business_"):
        return business_event_text(kind, data, event.text)
    if kind in LEAD_KINDS:
        return lead_event_text(kind, data, event.text)
    if kind in ("template_prepared", "template_emailed"):
        return template_event_text(kind, data)
    if kind == "automation":
        return automation_event_text(data, people)
    if kind == "archived":
        return "🗄 " + _("moved to the archive")
    if kind == "unarchived":
        if data.get("lead_id"):
            return "♻️ " + _("restored from the archive: a new lead came in on it")
        if data.get("business") and event.actor_id is not None:
            return "♻️ " + _(
                "restored from the archive: a member wrote to the client in a Business chat"
            )
        if data.get("business"):
            return "♻️ " + _("restored from the archive: the client wrote in a Business chat")
        return "♻️ " + _("restored from the archive")
    return other_event_text(kind, event.text, data, people)


def other_event_text(
    kind: str, text: str | None, data: Mapping[str, Any], people: Mapping[int, User]
) -> str:
    """Tasks, members and anything newer than this table: never a raw code on screen."""
    title = shorten(text or "", 80)
    if kind == "task_created":
        return "📌 " + _("task created: {title}").format(title=title)
    if kind == "task_done":
        return "✅ " + _("task done: {title}").format(title=title)
    if kind == "task_rescheduled":
        return "🕒 " + _("task moved: {title}").format(title=title)
    if kind == "task_snoozed":
        return "💤 " + _("reminder put off: {title}").format(title=title)
    if kind == "task_assigned":
        return "👤 " + _("task given to {member}: {title}").format(
            member=_person(data.get("assignee"), people), title=title
        )
    if kind == "client_deleted":
        return "🗑 " + _("client deleted")
    if kind == "deal_deleted":
        return "🗑 " + _("deal deleted: {title}").format(title=title)
    if kind == "deal_client_changed":
        old, new = data.get("old_name"), data.get("new_name")
        if old and new:  # from whom to whom, not only that it moved
            return "🔀 " + _("deal moved to another client: {old} → {new}").format(
                old=shorten(str(old), 40), new=shorten(str(new), 40)
            )
        return "🔀 " + _("deal moved between clients: {title}").format(title=title)
    if kind == "task_changed" and data.get("field") == "detached":
        return _task_left(data, title)
    if kind == "task_changed":
        return "✏️ " + _("task changed: {title}").format(title=title)
    if kind == "task_cancelled":
        return "🚫 " + _("task cancelled: {title}").format(title=title)
    if kind == "member_handed_over":
        return "🤝 " + _("clients, deals and tasks handed over")
    if kind == "imported":
        return "📥 " + _("imported from {file}").format(
            file=shorten(str(data.get("file") or ""), 60)
        )
    if kind == "import_undone":
        return "↩️ " + _("import from {file} undone").format(
            file=shorten(str(data.get("file") or ""), 60)
        )
    if kind in ("member_joined", "invite_accepted"):
        return "👋 " + _("joined the team")
    if kind == "member_role_changed":
        return "🎖 " + _("role changed")
    if kind == "member_deactivated":
        return "⛔️ " + _("deactivated")
    if kind == "member_reactivated":
        return "♻️ " + _("reactivated")
    return "• " + _("a change")


def _task_left(data: Mapping[str, Any], title: str) -> str:
    """On the card a task left: where it went (a card the reader may not open: unnamed),
    or that it was untied."""
    other = data.get("other")
    if not isinstance(other, dict):
        return "✂️ " + _("task taken off the card: {title}").format(title=title)
    name = shorten(str(data.get("title") or ""), 40)
    if data.get("hidden"):
        moved = _("task moved to a card you cannot open: {title}")
    elif other.get("kind") == "deal":
        moved = _("task moved to the deal “{name}”: {title}")
    else:
        moved = _("task moved to the client {name}: {title}")
    return "➡️ " + moved.format(name=name, title=title)


def event_line(
    event: Event,
    people: Mapping[int, User],
    tz: tzinfo,
    statuses: list[Status],
    *,
    stages: Mapping[int, StageView] | None = None,
    deal_titles: Mapping[int, str] | None = None,
) -> str:
    """``when · who: what``. On a client's timeline (``deal_titles`` given) a deal's
    events and comments name the deal, since a client may have several."""
    when = event.occurred_at.astimezone(tz).strftime("%d.%m %H:%M")
    actor = people.get(event.actor_id or 0)
    who = f" · {member_name(actor)}" if actor else ""
    what = event_text(event, people, statuses, stages) + missing_note(event.data or {})
    if deal_titles is not None and event.deal_id is not None:
        title = deal_titles.get(event.deal_id) or str((event.data or {}).get("title") or "")
        what = f"💼 {shorten(title, 40)}: {what}" if title else what
    return f"{when}{who}: {what}"
