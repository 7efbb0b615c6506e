"""How deals look: stage and reason names in the reader's language, money, progress."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n.context import get_i18n

from crm.lost_reasons import builtin_reason
from crm.money import format_money
from crm.pipeline import StageView
from storage.models import LostReason

STAGE_ICONS = {"open": "▫️", "won": "🏆", "lost": "❌"}


def stage_name(stage: StageView) -> str:
    """The owner's name for the stage, or the built-in one in the reader's language."""
    if stage.name:
        return stage.name
    return builtin_stage_name(stage.code) or "—"


def builtin_stage_name(code: str | None) -> str | None:
    names = {
        "lead": _("New lead"),
        "contact": _("Contact made"),
        "meeting": _("Meeting"),
        "proposal": _("Proposal"),
        "invoice": _("Invoice sent"),
        "won": _("Paid"),
        "lost": _("Lost"),
    }
    return names.get(code or "")


def stage_name_from_event(data: Mapping[str, object], prefix: str) -> str:
    """A stage as an event remembers it (it may have been renamed or deleted since)."""
    name = data.get(f"{prefix}_name")
    if name:
        return str(name)
    return builtin_stage_name(str(data.get(f"{prefix}_code") or "")) or "—"


def reason_text(reason: LostReason) -> str:
    if reason.text:
        return reason.text
    return _builtin_reason(reason.code) or reason.code or "—"


def reason_said(stored: str) -> str:
    """A lost reason as a deal keeps it (in the words of the member who chose it), in the
    reader's words when it is a built-in one ("too expensive" for «дорого»)."""
    return _builtin_reason(builtin_reason(stored)) or stored


def _builtin_reason(code: str | None) -> str | None:
    names = {
        "expensive": _("too expensive"),
        "competitor": _("chose a competitor"),
        "no_answer": _("no reply"),
        "irrelevant": _("no longer relevant"),
    }
    return names.get(code or "")


def pipeline_name(name: str | None) -> str:
    return name or _("Sales")


def money(minor: int, currency: str) -> str:
    """In the reader's language: ``150 000 ₽`` or ``150,000 ₽``."""
    return format_money(minor, currency, get_i18n().current_locale)


def progress(stages: list[StageView], current_id: int) -> str:
    """The open stages as a line of dots, the current one marked: ``●●◉○○``.

    A won deal passed every stage (``🏆 ●●●●●``); a lost one shows only its mark, not a
    line that reads as if it had gone all the way."""
    opened = [s for s in stages if s.kind == "open"]
    current = next((s for s in stages if s.id == current_id), None)
    if current is None:
        return ""
    if current.kind == "lost":
        return STAGE_ICONS[current.kind]
    if current.kind != "open":
        return STAGE_ICONS[current.kind] * 1 + " " + "●" * len(opened)
    index = [s.id for s in opened].index(current_id)
    return "●" * index + "◉" + "○" * (len(opened) - index - 1)
