"""Labels of what an event names: a client's field, a deal's field, a call's outcome, a file's
kind.
"""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


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


def deal_field_label(name: str) -> str:
    labels = {
        "amount": _("amount"),
        "title": _("title"),
        "expected_close": _("expected close date"),
        "manager_id": _("responsible"),
    }
    return labels.get(name, name)
