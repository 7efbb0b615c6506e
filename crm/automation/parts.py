"""What a rule names by id: stages, custom fields, templates, a record type; and which are gone.

A rule keeps them in its JSON (a trigger's stage or field, a condition's field, an action's
stage, field or template), and deleting one leaves the rule pointing at nothing: its trigger
never happens again or its action is skipped, and nothing fails. So the owner's screens
say which part of a rule is gone (``missing``), and the screens that delete a stage, a
field or a template say which rules use it (``named``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AutomationRule, FieldDef, RecordType, Stage, Template

STAGE, FIELD, TEMPLATE, RECORD_TYPE = "stage", "field", "template", "record_type"
PART_KINDS = (STAGE, FIELD, TEMPLATE, RECORD_TYPE)
_MODELS: dict[str, type[Stage] | type[Template] | type[RecordType]] = {
    STAGE: Stage,
    TEMPLATE: Template,
    RECORD_TYPE: RecordType,
}


def custom_id(key: object) -> int | None:
    """The field's id in a rule's ``custom.<id>``; None for a built-in field."""
    number = str(key or "").removeprefix("custom.")
    return int(number) if str(key or "").startswith("custom.") and number.isdigit() else None


def named(rule: AutomationRule) -> dict[str, set[int]]:
    """The ids the rule names, by kind of part (``PART_KINDS``)."""
    found: dict[str, set[int]] = {kind: set() for kind in PART_KINDS}

    def add(kind: str, value: object) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            found[kind].add(value)

    params = rule.trigger_params or {}
    add(STAGE, params.get("stage_id"))
    if rule.trigger == "record_created":
        add(RECORD_TYPE, params.get("type_id"))
    if rule.trigger == "date_approaching":
        add(FIELD, params.get("field_id"))
    if rule.trigger == "field_changed":
        add(FIELD, custom_id(params.get("field")))
    for condition in rule.conditions or []:
        add(FIELD, custom_id(condition.get("field")))
    for action in rule.actions or []:
        kind = action.get("type")
        if kind == "move_stage":
            add(STAGE, action.get("stage_id"))
        elif kind == "set_field":
            add(FIELD, action.get("field_id"))
        elif kind == "prepare_template":
            add(TEMPLATE, action.get("template_id"))
    return found


@dataclass(frozen=True)
class Parts:
    """What the rules name that still exists: the fields themselves (a condition's value is
    shown as its field reads it) and the ids of the rest."""

    fields: Mapping[int, FieldDef] = field(default_factory=dict)
    ids: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def missing(self, rule: AutomationRule) -> tuple[str, ...]:
        """The kinds of part the rule names and that were deleted, in ``PART_KINDS`` order."""
        wanted = named(rule)
        kept = {**self.ids, FIELD: frozenset(self.fields)}
        return tuple(kind for kind in PART_KINDS if wanted[kind] - kept.get(kind, frozenset()))

    def fields_of(self, rule: AutomationRule) -> dict[int, FieldDef]:
        return {i: self.fields[i] for i in named(rule)[FIELD] if i in self.fields}


async def existing(session: AsyncSession, rules: Sequence[AutomationRule]) -> Parts:
    """What of the parts the rules name is still there (one read per kind named)."""
    wanted: dict[str, set[int]] = {kind: set() for kind in PART_KINDS}
    for rule in rules:
        for kind, named_ids in named(rule).items():
            wanted[kind] |= named_ids
    fields: dict[int, FieldDef] = {}
    if wanted[FIELD]:
        rows = await session.scalars(select(FieldDef).where(FieldDef.id.in_(wanted[FIELD])))
        fields = {f.id: f for f in rows}
    ids: dict[str, frozenset[int]] = {}
    for kind, model in _MODELS.items():
        if wanted[kind]:
            found = await session.scalars(select(model.id).where(model.id.in_(wanted[kind])))
            ids[kind] = frozenset(found)
    return Parts(fields, ids)
