"""Words for automation and templates that the kit shows: timeline lines and refusals.

They live in the kit because the timeline and the one error handler show them
for every feature; the automation and templates packages build on the kit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError, ErrorCode
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
    if kind == "set_field":
        return _("{field} → {value}").format(field=done.get("field", ""), value=done.get("value"))
    if kind == "prepare_template":
        return _("prepared «{template}»").format(template=done.get("template", ""))
    return str(kind)


def _action_name(kind: object) -> str:
    names = {
        "create_task": _("create a task"),
        "notify": _("send a message"),
        "set_status": _("set the status"),
        "add_tag": _("add a tag"),
        "remove_tag": _("remove a tag"),
        "move_stage": _("move the deal"),
        "round_robin": _("assign in turn"),
        "set_field": _("fill in a field"),
        "prepare_template": _("prepare a template"),
    }
    return names.get(str(kind), str(kind))


def _why(reason: object) -> str:
    reasons = {
        "no members": _("no chosen member is active"),
        "no member sees the client": _("none of the chosen members sees the client"),
        "assignee cannot see the card": _("the member does not see the card"),
        "no one to do it": _("no active member to give it to"),
        "no deal": _("the card has no deal"),
        "no client": _("the card has no client"),
        "stage gone": _("the stage was deleted or is in another pipeline"),
        "moved since": _("it was moved after the rule was set off"),
        "field gone": _("the field was deleted"),
        "value does not fit": _("the value no longer fits the field"),
        "template gone": _("the template was deleted"),
        "no group chat": _(
            "no group chat is bound: add me to the team's group and send /bind there"
        ),
    }
    return reasons.get(str(reason), _("it cannot be done"))


def skipped_text(skipped: Mapping[str, Any]) -> str:
    """An action a firing could not do, and why (``crm.automation.skips``)."""
    return _("could not {action}: {why}").format(
        action=_action_name(skipped.get("type")), why=_why(skipped.get("skipped"))
    )


def last_skipped_lines(state: Mapping[str, Any]) -> list[str]:
    """A rule screen's warning: what the rule's latest firing could not do, and why."""
    noted = state.get("skipped")
    entries = noted.get("actions") if isinstance(noted, Mapping) else None
    return [
        "⚠️ " + _("Last time it {what}").format(what=skipped_text(entry))
        for entry in entries or []
        if isinstance(entry, Mapping)
    ]


def automation_event_text(data: Mapping[str, Any], people: Mapping[int, User]) -> str:
    parts = [
        skipped_text(done) if "skipped" in done else _part(done, people)
        for done in data.get("done") or []
        if isinstance(done, dict)
    ]
    return "🤖 «{rule}»: {what}".format(rule=data.get("rule", ""), what="; ".join(parts) or "—")


def automation_error_text(error: CrmError) -> str | None:
    """Words for the refusals of automation's use cases; None for other codes."""
    if error.code == ErrorCode.BAD_RULE:
        limit = error.params.get("limit")
        parts = {
            "trigger": _("Choose what sets the rule off."),
            "stage": _("Choose a stage of the pipeline."),
            "days": _("Send a whole number of days from 1 to 10000."),
            "hours": _("Send a whole number of hours from 1 to 10000."),
            "field": _("Choose a field."),
            "condition": _("This condition cannot be checked."),
            "conditions_many": _("A rule checks at most {limit} conditions.").format(limit=limit),
            "action": _("Choose what the rule does, and fill in its text."),
            "actions_many": _("A rule does at most {limit} things.").format(limit=limit),
            "members": _("Choose at least one member."),
            "template": _("Choose a template."),
            "delay": _("This delay cannot be used: choose another."),
            "starter": _("This button is no longer active."),
            "record_type": _("Choose a type of card."),
            "no_templates": _("There are no templates yet: add one in /settings → Templates."),
            "no_record_types": _(
                "There are no record types yet: add them in /settings → Fields and record types."
            ),
            "no_fields": _(
                "There are no such fields yet: add them in /settings → Fields and record types."
            ),
            "record_action": _(
                "On a card of the team's own type a rule can create a task, send a message "
                "or assign in turn."
            ),
        }
        return parts.get(str(error.params.get("part")), _("This rule cannot run as it is."))
    if error.code == ErrorCode.TOO_MANY_RULES:
        return _("There can be at most {limit} rules.").format(limit=error.params.get("limit"))
    return None


EVENT_KINDS = ("template_prepared", "template_emailed")


def template_event_text(kind: str, data: Mapping[str, Any]) -> str:
    name = str(data.get("template", ""))
    if kind == "template_emailed":
        return "📧 " + _("«{template}» sent by email to {to}").format(
            template=name, to=data.get("to", "")
        )
    return "📨 " + _("«{template}» prepared").format(template=name)


def template_error_text(error: CrmError) -> str | None:
    """Words for the refusals of the templates' use cases; None for other codes."""
    params = error.params
    if error.code == ErrorCode.UNKNOWN_PLACEHOLDER:
        return _(
            "I don't know the placeholder {{{name}}}. Use {{client.name}}, {{client.company}}, "
            "{{client.phone}}, {{deal.title}}, {{deal.amount}}, {{manager.name}}, "
            "{{manager.phone}} or {{today}}."
        ).format(name=params.get("name", ""))
    if error.code == ErrorCode.DOUBLE_BRACES:
        return _("Write a placeholder in single braces: {{{name}}}, not {text}.").format(
            name=params.get("name", ""), text=params.get("text", "")
        )
    if error.code == ErrorCode.BROKEN_PLACEHOLDER and params.get("typed"):
        return _(
            "A placeholder is broken near “{text}”: write it with both braces, like "
            "{{client.name}}, and send it again."
        ).format(text=params.get("text", ""))
    if error.code == ErrorCode.BROKEN_PLACEHOLDER:
        return _(
            "A placeholder is broken near “{text}”: retype it in one go, with both braces, "
            "like {{client.name}}, and upload the file again."
        ).format(text=params.get("text", ""))
    texts = {
        ErrorCode.NOT_DOCX: _(
            "This is not a Word .docx file (or it is damaged). Save it as .docx and send it again."
        ),
        ErrorCode.FILE_TOO_BIG: _("The file is too big: at most {limit} MB.").format(
            limit=params.get("limit", "")
        ),
        ErrorCode.BROKEN_TEMPLATE: _("This document cannot be filled; please upload it again."),
        ErrorCode.TOO_MANY_TEMPLATES: _("There can be at most {limit} templates.").format(
            limit=params.get("limit", "")
        ),
        "template_gone": _("This template no longer exists."),
        "template_name_taken": _(
            "There is already a template «{name}». Give this one another name (a document's "
            "name is its caption, or its file's name), or delete the old one first."
        ).format(name=params.get("name", "")),
        "fill_bad_phone": _(
            "That is not a phone number I can read. Send it like +7 999 123-45-67, or /cancel."
        ),
        "fill_bad_amount": _("That is not an amount. Send a number, like 150000 or 150k."),
        "amount_too_precise": _(
            "An amount has at most two digits after the decimal point (kopecks, cents)."
        ),
        "not_fillable": _("This field cannot be filled from here."),
        "filled_meanwhile": _("Someone filled this field meanwhile; their value stays."),
        "mail_off": _("Email is not set up: the team's SMTP settings are empty."),
        "no_email": _("The client has no email address. Add one on the card first."),
        "template_empty": _(
            "Filled for this card, the template is empty (none of its places has a value "
            "here): there is nothing to send."
        ),
        "mail_failed": _("The email was not sent: {reason}").format(
            reason=params.get("reason", "")
        ),
    }
    return texts.get(error.code)
