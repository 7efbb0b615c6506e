"""A rule in words, in the reader's language: its trigger, its conditions, what it does,
with the names of the stages, fields, templates, record types and members it names.
Pure: the rule's JSON (a saved rule's or the builder's draft) and those names in, text out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiogram.utils.i18n import gettext as _

from crm.automation.parts import Parts
from crm.team_settings import Status
from handlers.automation.callbacks import Code
from handlers.automation.rule_words import (
    Names,
    action_text,
    delay_text,
    deleted,
    status_words,
    trigger_text,
    value_words,
)
from handlers.kit.labels import member_name, status_label
from handlers.kit.stages import money, stage_name
from storage.models import FieldDef, RecordType

DEFAULT_CURRENCY = "RUB"  # a condition's amount is compared in minor units, any currency


def trigger_names() -> dict[Code, str]:
    return {
        Code.CLIENT_CREATED: _("👤 A client is created"),
        Code.DEAL_ENTERED_STAGE: _("➡️ A deal enters a stage"),
        Code.DEAL_STALE: _("⏳ A deal stays on its stage N days"),
        Code.DEAL_WON: _("🏆 A deal is won"),
        Code.DEAL_LOST: _("❌ A deal is lost"),
        Code.TASK_OVERDUE: _("⏰ A task is overdue N hours"),
        Code.FIELD_CHANGED: _("✏️ A client's status changes"),
        Code.CUSTOM_CHANGED: _("🧩 A custom field changes"),
        Code.DATE_APPROACHING: _("📅 A date field approaches"),
        Code.RECORD_CREATED: _("📁 A card of the team's own type is created"),
    }


def action_names() -> dict[Code, str]:
    return {
        Code.CREATE_TASK: _("✅ Create a task"),
        Code.NOTIFY: _("💬 Tell someone"),
        Code.MOVE_STAGE: _("➡️ Move the deal to a stage"),
        Code.SET_STATUS: _("🏷 Set the client's status"),
        Code.ADD_TAG: _("#️⃣ Add a tag"),
        Code.ROUND_ROBIN: _("🔄 Assign in turn"),
        Code.PREPARE_TEMPLATE: _("📨 Prepare a template"),
        Code.SET_FIELD: _("🧩 Change a custom field"),
    }


def condition_names() -> dict[Code, str]:
    return {
        Code.AMOUNT_GT: _("Amount over…"),
        Code.AMOUNT_LT: _("Amount under…"),
        Code.STATUS: _("Status is…"),
        Code.SOURCE: _("Source is…"),
        Code.TAG: _("Has the tag…"),
        Code.CUSTOM: _("A custom field is…"),
    }


def _code(value: object) -> Code | None:
    return Code._value2member_map_.get(str(value))  # type: ignore[return-value]


def field_notes(fields: Iterable[FieldDef]) -> dict[str, dict[str, str]]:
    """What a rule's text needs of its custom fields, by ``custom.<id>``: name and type."""
    return {f"custom.{f.id}": {"name": f.name, "type": f.type} for f in fields}


def record_type_label(kind: RecordType) -> str:
    return f"{kind.emoji} {kind.plural}"


def names_of(found: Parts, statuses: Sequence[Status]) -> dict[str, dict[str, str]]:
    """What the parts the rules name are called now (``rule_words.Names``), in the reader's
    language: a built-in stage or status by its translated name."""
    return {
        "stage": {str(i): stage_name(stage) for i, stage in found.stages.items()},
        "template": {str(i): name for i, name in found.templates.items()},
        "record_type": {str(i): record_type_label(t) for i, t in found.record_types.items()},
        "member": {str(i): member_name(user) for i, user in found.members.items()},
        "status": {s.code: status_label(s.code, list(statuses)) for s in statuses},
    }


def condition_text(
    condition: dict[str, Any], fields: Mapping[str, Any] | None = None, names: Names | None = None
) -> str:
    """One condition as words: "Amount over 100 000 ₽", "Status is …", "#vip", "Paid is yes";
    ``fields``: the custom fields it may name (``field_notes``); ``names``: the statuses'."""
    field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if field == "amount" and isinstance(value, int):
        text = _("Amount over {amount}") if op == "gt" else _("Amount under {amount}")
        return text.format(amount=money(value, DEFAULT_CURRENCY))
    if field == "status":
        return _("Status is {status}").format(status=status_words(names or {}, value))
    if field == "source":
        return _("Source is {source}").format(source=value)
    if field == "tag":
        return f"#{value}"
    if str(field).startswith("custom."):
        note = (fields or {}).get(str(field))
        name = note["name"] if note else f"«{deleted('field')}»"
        shown = value_words((note or {}).get("type"), value)
        return _("{field} is {value}").format(field=name, value=shown)
    return f"{field} {op} {value}"


def describe(rule: dict[str, Any]) -> list[str]:
    """The rule, one line per part: when, only if, what it does, when it acts.

    ``rule["fields"]``: the custom fields it names (``field_notes``); ``rule["names"]``: what
    the rest it names are called (``names_of``; the builder keeps them as they are chosen).
    A part missing there was deleted, and says so."""
    names: Names = rule.get("names") or {}
    fields = rule.get("fields") or {}
    lines = []
    trigger = _code(rule.get("shown") or rule.get("trigger"))
    if str((rule.get("params") or {}).get("field", "")).startswith("custom."):
        trigger = Code.CUSTOM_CHANGED
    if trigger is not None:
        what = trigger_text(rule, names, fields) or trigger_names().get(trigger, trigger.value)
        lines.append(_("When: {what}").format(what=what))
    conditions = rule.get("conditions") or []
    if conditions:
        shown = "; ".join(condition_text(c, fields, names) for c in conditions)
        lines.append(_("Only if: {what}").format(what=shown))
    actions = rule.get("actions") or []
    if actions:
        done = [action_text(a, names, fields) for a in actions]
        if len(done) == 1:
            lines.append(_("Do: {what}").format(what=done[0]))
        else:  # one line each: several on one line are hard to read on a phone
            lines.append(_("Do:"))
            lines.extend(f"• {what}" for what in done)
        later = delay_text(rule.get("delay"))
        if later:
            lines.append(_("Acts: {when}").format(when=later))
    return lines


def missing_words(missing: Iterable[str]) -> str:
    """What a rule lost (``RuleSummary.missing``) as words: "a stage it uses was deleted"."""
    reasons = {
        "stage": _("a stage it uses was deleted"),
        "field": _("a field it uses was deleted"),
        "template": _("a template it uses was deleted"),
        "record_type": _("the record type it watches was deleted"),
    }
    return "; ".join(reasons.get(kind, kind) for kind in missing)
