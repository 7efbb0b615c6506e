"""What templates show: refusals in words and the timeline's lines. Pure: data in, text out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.utils.i18n import gettext as _

from crm.errors import CrmError

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
    if error.code == "unknown_placeholder":
        return _(
            "I don't know the placeholder {{{name}}}. Use {{client.name}}, {{client.company}}, "
            "{{client.phone}}, {{deal.title}}, {{deal.amount}}, {{manager.name}}, "
            "{{manager.phone}} or {{today}}."
        ).format(name=params.get("name", ""))
    if error.code == "broken_placeholder":
        return _(
            "A placeholder is broken near “{text}”: retype it in one go, with both braces, "
            "like {{client.name}}, and upload the file again."
        ).format(text=params.get("text", ""))
    texts = {
        "not_docx": _(
            "This is not a Word .docx file (or it is damaged). Save it as .docx and send it again."
        ),
        "file_too_big": _("The file is too big: at most {limit} MB.").format(
            limit=params.get("limit", "")
        ),
        "broken_template": _("This document cannot be filled; please upload it again."),
        "too_many_templates": _("There can be at most {limit} templates.").format(
            limit=params.get("limit", "")
        ),
        "template_gone": _("This template no longer exists."),
        "mail_off": _("Email is not set up: the team's SMTP settings are empty."),
        "no_email": _("The client has no email address. Add one on the card first."),
        "mail_failed": _("The email was not sent: {reason}").format(
            reason=params.get("reason", "")
        ),
    }
    return texts.get(error.code)
