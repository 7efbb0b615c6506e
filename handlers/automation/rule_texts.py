"""A rule in words, in the reader's language: its trigger, its conditions, what it does.
Pure: the rule's JSON (a saved rule's or the builder's draft) in, text out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from typing import Any

from aiogram.utils.i18n import gettext as _

from crm.parsing.fields import FieldType, FieldValueError, parse_value
from handlers.automation.callbacks import Code
from handlers.kit.labels import status_label
from handlers.kit.stages import money
from storage.models import FieldDef

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


def value_words(type_: str | None, value: object) -> str:
    """A rule's value for a custom field as the reader says it: a yes/no value (kept as the
    field gives it back, "да") in their language; any other value as it is kept."""
    if type_ == FieldType.YES_NO:
        with suppress(FieldValueError):
            yes = parse_value(FieldType.YES_NO, str(value)).int_value
            return _("yes") if yes else _("no")
    return str(value)


def condition_text(condition: dict[str, Any], fields: Mapping[str, Any] | None = None) -> str:
    """One condition as words: "Amount over 100 000 ₽", "Status is …", "#vip", "Paid is yes";
    ``fields``: the custom fields it may name (``field_notes``)."""
    field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if field == "amount" and isinstance(value, int):
        text = _("Amount over {amount}") if op == "gt" else _("Amount under {amount}")
        return text.format(amount=money(value, DEFAULT_CURRENCY))
    if field == "status":
        return _("Status is {status}").format(status=status_label(str(value), []))
    if field == "source":
        return _("Source is {source}").format(source=value)
    if field == "tag":
        return f"#{value}"
    note = (fields or {}).get(str(field)) or {}
    name = note.get("name") or condition.get("label")
    if str(field).startswith("custom.") and name:
        shown = value_words(note.get("type"), value)
        return _("{field} is {value}").format(field=name, value=shown)
    return f"{field} {op} {value}"


def describe(rule: dict[str, Any]) -> list[str]:
    """The rule, one line per part: when, only if, what it does; ``rule["fields"]``: the
    custom fields it names (``field_notes``)."""
    lines = []
    trigger = _code(rule.get("shown") or rule.get("trigger"))
    if str((rule.get("params") or {}).get("field", "")).startswith("custom."):
        trigger = Code.CUSTOM_CHANGED
    if trigger is not None:
        lines.append(_("When: {what}").format(what=trigger_names().get(trigger, trigger.value)))
    conditions = rule.get("conditions") or []
    if conditions:
        shown = "; ".join(condition_text(c, rule.get("fields")) for c in conditions)
        lines.append(_("Only if: {what}").format(what=shown))
    actions = rule.get("actions") or []
    if actions:
        names = action_names()
        done = ", ".join(names.get(_code(a.get("type")) or Code.NONE, "?") for a in actions)
        lines.append(_("Do: {what}").format(what=done))
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
