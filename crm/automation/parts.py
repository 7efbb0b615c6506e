"""What a rule names by id: stages, custom fields, templates, a record type, members; which
are gone, and what the rest are called now.

A rule keeps them in its JSON (a trigger's stage or field, a condition's field, an action's
stage, field or template), and deleting one leaves the rule pointing at nothing: its trigger
never happens again or its action is skipped, and nothing fails. So the owner's screens
say which part of a rule is gone (``missing``), and the screens that delete a stage, a
field or a template say which rules use it (``named``). A rule's screen says what it does
with each part's name as it is now (``existing``: a renamed stage reads by its new name).
A member a rule names (a task's assignee, round-robin) is not a part: one who left is
passed over when it runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.pipeline import StageView
from storage.models import AutomationRule, FieldDef, RecordType, Stage, Template, User

STAGE, FIELD, TEMPLATE, RECORD_TYPE = "stage", "field", "template", "record_type"
PART_KINDS = (STAGE, FIELD, TEMPLATE, RECORD_TYPE)


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


def members_named(rule: AutomationRule) -> set[int]:
    """The members the rule names: a task's assignee by id, those assigned in turn."""
    found: set[int] = set()
    for action in rule.actions or []:
        chosen = [action.get("assignee"), *(action.get("members") or [])]
        found |= {m for m in chosen if isinstance(m, int) and not isinstance(m, bool)}
    return found


@dataclass(frozen=True)
class Parts:
    """What the rules name that still exists, as it is now: the fields themselves (a
    condition's value is shown as its field reads it), the stages, the templates' names,
    the record types, and the members (who may have left: a name is a name)."""

    fields: Mapping[int, FieldDef] = field(default_factory=dict)
    stages: Mapping[int, StageView] = field(default_factory=dict)
    templates: Mapping[int, str] = field(default_factory=dict)
    record_types: Mapping[int, RecordType] = field(default_factory=dict)
    members: Mapping[int, User] = field(default_factory=dict)

    def missing(self, rule: AutomationRule) -> tuple[str, ...]:
        """The kinds of part the rule names and that were deleted, in ``PART_KINDS`` order."""
        wanted = named(rule)
        kept: dict[str, Mapping[int, object]] = {
            STAGE: self.stages,
            FIELD: self.fields,
            TEMPLATE: self.templates,
            RECORD_TYPE: self.record_types,
        }
        return tuple(kind for kind in PART_KINDS if wanted[kind] - kept[kind].keys())

    def fields_of(self, rule: AutomationRule) -> dict[int, FieldDef]:
        return {i: self.fields[i] for i in named(rule)[FIELD] if i in self.fields}


async def existing(session: AsyncSession, rules: Sequence[AutomationRule]) -> Parts:
    """What of the parts the rules name is still there, and the members they name (one read
    per kind named, none for a kind no rule names)."""
    wanted: dict[str, set[int]] = {kind: set() for kind in PART_KINDS}
    people: set[int] = set()
    for rule in rules:
        for kind, named_ids in named(rule).items():
            wanted[kind] |= named_ids
        people |= members_named(rule)
    fields: dict[int, FieldDef] = {}
    if wanted[FIELD]:
        rows = await session.scalars(select(FieldDef).where(FieldDef.id.in_(wanted[FIELD])))
        fields = {f.id: f for f in rows}
    stages: dict[int, StageView] = {}
    if wanted[STAGE]:
        stage_rows = await session.execute(
            select(
                Stage.id, Stage.code, Stage.name, Stage.kind, Stage.position, Stage.stale_days
            ).where(Stage.id.in_(wanted[STAGE]))
        )
        stages = {row.id: StageView(*row) for row in stage_rows}
    templates: dict[int, str] = {}
    if wanted[TEMPLATE]:  # the name only: a document's bytes stay in the database
        template_rows = await session.execute(
            select(Template.id, Template.name).where(Template.id.in_(wanted[TEMPLATE]))
        )
        templates = {row.id: row.name for row in template_rows}
    types: dict[int, RecordType] = {}
    if wanted[RECORD_TYPE]:
        kinds = await session.scalars(
            select(RecordType).where(RecordType.id.in_(wanted[RECORD_TYPE]))
        )
        types = {t.id: t for t in kinds}
    members: dict[int, User] = {}
    if people:
        users = await session.scalars(select(User).where(User.id.in_(people)))
        members = {u.id: u for u in users}
    return Parts(fields, stages, templates, types, members)
