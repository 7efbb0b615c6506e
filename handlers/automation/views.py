"""What automation shows: a firing as a timeline line, and what it says on its own
(a rule's message, a prepared template, a rule paused). Pure: data in, text out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.utils.formatting import Bold, Text, as_list
from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError
from storage.models import User


def _part(done: dict[str, Any], people: Mapping[int, User]) -> str:
    kind = done.get("type")
    if kind == "create_task":
        return _("task «{title}»").format(title=done.get("title", ""))
    if kind == "notify":
        whom = {"owner": _("the owner"), "group": _("the group chat")}
        return _("told {whom}").format(whom=whom.get(str(done.get("to")), _("the responsible")))
    if kind == "set_status":
        return _("status → {status}").format(status=done.get("status", ""))
    if kind == "add_tag":
        return f"+#{done.get('tag', '')}"
    if kind == "remove_tag":
        return f"−#{done.get('tag', '')}"
    if kind == "move_stage":
        return _("moved to «{stage}»").format(stage=done.get("stage", ""))
    if kind == "round_robin":
        user = people.get(int(done.get("member") or 0))
        name = (user.full_name if user else None) or done.get("name") or str(done.get("member"))
        return _("responsible: {name}").format(name=name)
    if kind == "prepare_template":
        return _("prepared «{template}»").format(template=done.get("template", ""))
    return str(kind)


def automation_event_text(data: Mapping[str, Any], people: Mapping[int, User]) -> str:
    parts = [_part(done, people) for done in data.get("done") or [] if isinstance(done, dict)]
    return "🤖 «{rule}»: {what}".format(rule=data.get("rule", ""), what="; ".join(parts) or "—")


NOTICE_KINDS = ("automation_notice", "automation_template", "automation_paused")


def automation_text(kind: str, payload: dict[str, Any]) -> Text:
    rule = str(payload.get("rule", ""))
    if kind == "automation_paused":
        return Text(
            "⏸ ",
            _(
                "The rule «{rule}» fired more than {limit} times in an hour and was paused. "
                "Check it in /settings → Automation and resume it when it is right."
            ).format(rule=rule, limit=payload.get("limit", "")),
        )
    if kind == "automation_template":
        lines: list[Text | str] = [
            Text(
                "🤖 ",
                Bold(f"«{rule}»"),
                ": ",
                _("prepared «{template}»").format(template=payload.get("template", "")),
            ),
            str(payload.get("text") or ""),
        ]
        if payload.get("phone"):
            lines.append(_("Client's phone: {phone}").format(phone=payload["phone"]))
        missing = payload.get("missing") or []
        if missing:
            lines.append(
                _("No value for: {names}").format(names=", ".join(f"{{{m}}}" for m in missing))
            )
        return as_list(*lines)
    return Text("🤖 ", Bold(f"«{rule}»"), ": ", str(payload.get("text") or ""))


def automation_error_text(error: CrmError) -> str | None:
    """Words for the refusals of automation's use cases; None for other codes."""
    if error.code == "bad_rule":
        parts = {
            "trigger": _("Choose what sets the rule off."),
            "stage": _("Choose a stage of the pipeline."),
            "days": _("Send a whole number of days from 1 to 10000."),
            "hours": _("Send a whole number of hours from 1 to 10000."),
            "field": _("Choose a field."),
            "condition": _("This condition cannot be checked."),
            "action": _("Choose what the rule does, and fill in its text."),
            "members": _("Choose at least one member."),
            "template": _("Choose a template."),
            "delay": _("This delay cannot be used: choose another."),
            "starter": _("This button is no longer active."),
        }
        return parts.get(str(error.params.get("part")), _("This rule cannot run as it is."))
    if error.code == "too_many_rules":
        return _("There can be at most {limit} rules.").format(limit=error.params.get("limit"))
    return None
