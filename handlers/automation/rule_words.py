"""A rule's trigger, actions and delay in words with the names of what they name, in the
reader's language: "a deal enters «Meeting»", "create the task «Call back» due in 1 day".
Pure: the rule's JSON and the names in, text out."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from crm.parsing.fields import FieldType, FieldValueError, parse_value
from handlers.kit.labels import status_label
from handlers.kit.timeline import shorten

Names = Mapping[str, Mapping[str, str]]
"""What the parts a rule names are called now, by kind ("stage", "template", "record_type",
"member", "status") and id (a status: code) as text. A custom field's name and type are in
the rule's ``fields`` (``rule_texts.field_notes``), by ``custom.<id>``."""
Notes = Mapping[str, Mapping[str, str]]

TEXT_SHOWN = 40  # a task's title or a message, cut short: the rule's line stays short
MEMBERS_SHOWN = 4
DAY, HOUR = 24 * 60, 60


def deleted(kind: str) -> str:
    """What a part a rule names and that was deleted reads as."""
    words = {
        "stage": _("deleted stage"),
        "field": _("deleted field"),
        "template": _("deleted template"),
        "record_type": _("deleted record type"),
        "member": _("deleted member"),
    }
    return words.get(kind, kind)


def name_in(names: Names, kind: str, key: object) -> str:
    found = (names.get(kind) or {}).get(str(key))
    return found if found is not None else deleted(kind)


def field_note(fields: Notes, key: object) -> Mapping[str, str]:
    """A custom field's name and type by its id or ``custom.<id>``; a deleted one's name says
    so."""
    key = str(key)
    note = fields.get(key if key.startswith("custom.") else f"custom.{key}")
    return note if note else {"name": deleted("field")}


def status_words(names: Names, code: object) -> str:
    return (names.get("status") or {}).get(str(code)) or status_label(str(code), [])


def value_words(type_: str | None, value: object) -> str:
    """A rule's value for a custom field as the reader says it: a yes/no value (kept as the
    field gives it back, "да") in their language; any other value as it is kept."""
    if type_ == FieldType.YES_NO:
        with suppress(FieldValueError):
            yes = parse_value(FieldType.YES_NO, str(value)).int_value
            return _("yes") if yes else _("no")
    return str(value)


def later(minutes: int) -> str:
    """A span from now: "in 15 minutes", "in 2 hours", "in 1 day"."""
    if minutes and minutes % DAY == 0:
        n = minutes // DAY
        return ngettext("in {n} day", "in {n} days", n).format(n=n)
    if minutes and minutes % HOUR == 0:
        n = minutes // HOUR
        return ngettext("in {n} hour", "in {n} hours", n).format(n=n)
    return ngettext("in {n} minute", "in {n} minutes", minutes).format(n=minutes)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def trigger_text(rule: Mapping[str, Any], names: Names, fields: Notes) -> str | None:
    """What sets the rule off, with its parameters; None while the builder's draft has not
    got them yet (its generic name is shown then)."""
    trigger, params = rule.get("trigger"), rule.get("params") or {}
    days = _int(params.get("days"))
    if trigger == "client_created":
        source = params.get("source")
        if source:
            return _("a client from «{source}» is created").format(source=shorten(source, 40))
        return _("a client is created")
    if trigger == "deal_entered_stage" and "stage_id" in params:
        return _("a deal enters «{stage}»").format(
            stage=name_in(names, "stage", params["stage_id"])
        )
    if trigger == "deal_won":
        return _("a deal is won")
    if trigger == "deal_lost":
        return _("a deal is lost")
    if trigger == "deal_stale" and days is not None:
        if params.get("stage_id") is None:
            return ngettext(
                "a deal stays on its stage {n} day", "a deal stays on its stage {n} days", days
            ).format(n=days)
        stage = name_in(names, "stage", params["stage_id"])
        return ngettext(
            "a deal stays on «{stage}» {n} day", "a deal stays on «{stage}» {n} days", days
        ).format(stage=stage, n=days)
    hours = _int(params.get("hours"))
    if trigger == "task_overdue" and hours is not None:
        return ngettext("a task is overdue {n} hour", "a task is overdue {n} hours", hours).format(
            n=hours
        )
    if trigger == "field_changed" and params.get("field"):
        return _changed(str(params["field"]), params.get("value"), names, fields)
    if trigger == "date_approaching" and "field_id" in params and days is not None:
        field = field_note(fields, params["field_id"])["name"]
        if days == 0:
            return _("on the day of «{field}»").format(field=field)
        return ngettext("{n} day before «{field}»", "{n} days before «{field}»", days).format(
            n=days, field=field
        )
    if trigger == "record_created" and "type_id" in params:
        kind = name_in(names, "record_type", params["type_id"])
        return _("a new card in «{type}»").format(type=kind)
    return None


def _changed(field: str, value: object, names: Names, fields: Notes) -> str:
    if field == "client.status":
        if value is None:
            return _("the client's status changes")
        return _("the status changes to {status}").format(status=status_words(names, value))
    if field.startswith("custom."):
        note = field_note(fields, field)
        name = note["name"]
        if value is None:
            return _("«{field}» changes").format(field=name)
        shown = shorten(value_words(note.get("type"), value), TEXT_SHOWN)
        return _("«{field}» changes to {value}").format(field=name, value=shown)
    if value is None:
        return _("{field} changes").format(field=field)
    return _("{field} changes to {value}").format(field=field, value=shorten(str(value), 40))


def action_text(
    action: Mapping[str, Any], names: Names, fields: Notes, room: int = TEXT_SHOWN
) -> str:
    """One action with what it names: "move the deal to «Contract»"; a task's title, a
    message, a tag or a value cut to ``room`` characters."""
    kind = action.get("type")
    if kind == "create_task":
        return _task(action, names, room)
    if kind == "notify":
        text = shorten(str(action.get("text") or ""), room)
        told = {
            "responsible": _("tell the responsible: «{text}»"),
            "owner": _("tell the owner: «{text}»"),
            "group": _("write to the team's group: «{text}»"),
        }
        return told.get(str(action.get("to")), _("tell the responsible: «{text}»")).format(
            text=text
        )
    if kind == "move_stage":
        stage = name_in(names, "stage", action.get("stage_id"))
        return _("move the deal to «{stage}»").format(stage=stage)
    if kind == "set_status":
        return _("set the status {status}").format(status=status_words(names, action.get("status")))
    if kind in ("add_tag", "remove_tag"):
        tag = shorten(str(action.get("tag") or ""), room)
        text = _("add the tag #{tag}") if kind == "add_tag" else _("remove the tag #{tag}")
        return text.format(tag=tag)
    if kind == "round_robin":
        chosen = [name_in(names, "member", m) for m in action.get("members") or []]
        shown = ", ".join(chosen[:MEMBERS_SHOWN]) + (", …" if len(chosen) > MEMBERS_SHOWN else "")
        return _("assign in turn: {members}").format(members=shown)
    if kind == "prepare_template":
        template = name_in(names, "template", action.get("template_id"))
        return _("prepare the template «{template}»").format(template=template)
    if kind == "set_field":
        note = field_note(fields, action.get("field_id"))
        value = shorten(value_words(note.get("type"), action.get("value", "")), room)
        return _("set «{field}» to {value}").format(field=note["name"], value=value)
    return str(kind)


def _task(action: Mapping[str, Any], names: Names, room: int) -> str:
    if action.get("due") == "next_workday":
        due = _("at 10:00 the next working day")
    else:
        minutes = _int(action.get("due_minutes")) or 0
        due = later(minutes) if minutes else _("right away")
    title = shorten(str(action.get("title") or ""), room)
    text = _("create the task «{title}» due {when}").format(title=title, when=due)
    who = action.get("assignee", "responsible")
    if who == "responsible":
        text += ", " + _("for the responsible")
    elif who == "actor":
        text += ", " + _("for who set it off")
    else:
        text += ", " + _("for {member}").format(member=name_in(names, "member", who))
    if action.get("priority") == "high":
        text += ", " + _("high priority")
    return text


def delay_text(delay: Mapping[str, Any] | None) -> str | None:
    """When the actions are done once the rule is set off; None: at once."""
    kind = (delay or {}).get("kind", "now")
    if kind == "next_workday":
        return _("at 10:00 the next working day")
    minutes = _int((delay or {}).get("minutes"))
    if kind == "after" and minutes:
        return later(minutes)
    return None
