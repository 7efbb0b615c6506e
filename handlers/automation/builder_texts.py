"""What the rule builder asks a typed answer for, in the reader's language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def placeholders_hint() -> str:
    return _(
        "Placeholders: {client.name}, {client.company}, {client.phone}, {deal.title}, "
        "{deal.amount}, {manager.name}."
    )


def prompt(asking: str) -> str:
    """What a typed answer is asked for."""
    texts = {
        "source": _("Send the source (as it is written on clients), like “website”."),
        "amount_gt": _("Send the amount, like 100000 or 100k."),
        "amount_lt": _("Send the amount, like 100000 or 100k."),
        "cond_source": _("Send the source, like “website”."),
        "tag": _("Send the tag, like vip."),
        "add_tag": _("Send the tag to add, like vip."),
        "title": _("Send the task's title.") + " " + placeholders_hint(),
        "text": _("Send the message.") + " " + placeholders_hint(),
        "name": _("Last step: send the rule's name, like “Call new leads”."),
        "changed_value": _("Send the value it changes to."),
        "cond_custom": _("Send the value the field must have."),
        "field_value": _("Send the value to put into the field."),
    }
    return texts.get(asking, "")
