"""What a rule is made of, checked before it is stored; when a delayed action falls due.

A rule is plain JSON so the owner's screens and the starter rules build it the
same way: a trigger with its parameters, conditions, actions and a delay.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm.errors import ErrorCode, InvalidInput
from crm.parsing.search_text import one_line, shows

TRIGGERS = (
    "client_created",  # {"source": str?}
    "deal_entered_stage",  # {"stage_id": int}
    "deal_won",
    "deal_lost",
    "deal_stale",  # {"days": int, "stage_id": int?}
    "task_overdue",  # {"hours": int}
    "field_changed",  # {"field": "client.status" | "deal.amount" | "custom.<id>" …, "value"?}
    "date_approaching",  # {"field_id": int (a client's or deal's date field), "days": int}
    "record_created",  # {"type_id": int}: a card of the team's own record type
)
# Triggers found by the clock rather than by a change.
CLOCK_TRIGGERS = ("deal_stale", "task_overdue", "date_approaching")
CONDITION_FIELDS = ("amount", "status", "source", "tag", "responsible")
CONDITION_OPS = ("eq", "ne", "gt", "lt", "has")
ACTIONS = (
    # {"title", "due_minutes" or "due": "next_workday", "assignee": "responsible"|"actor"|id,
    #  "priority"}
    "create_task",
    "notify",  # {"to": "responsible"|"owner"|"group", "text"}
    "set_status",  # {"status"}
    "add_tag",  # {"tag"}
    "remove_tag",  # {"tag"}
    "move_stage",  # {"stage_id"}
    "round_robin",  # {"members": [ids]}
    "prepare_template",  # {"template_id"}
    "set_field",  # {"field_id": a client's or deal's custom field, "value": text as typed}
)
# What a rule can do on a card of the team's own type (it has no client, deal or tags).
RECORD_ACTIONS = ("create_task", "notify", "round_robin")
DELAYS = ("now", "after", "next_workday")
WORKDAY_HOUR = 10
MAX_DELAY_MINUTES = 366 * 24 * 60
MAX_TEXT = 1000
MAX_NAME = 100
MAX_AHEAD_DAYS = 366
MAX_CONDITIONS = 10
MAX_ACTIONS = 10
"""A rule's conditions and actions: each screen that lists them stays within one message."""


def check_rule(
    name: str,
    trigger: str,
    params: dict[str, Any],
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    delay: dict[str, Any],
) -> str:
    """Raise InvalidInput (with what is wrong) unless the rule can run; returns the clean name."""
    clean = one_line(name)
    if not clean:
        raise InvalidInput(ErrorCode.EMPTY, field="rule")
    if len(clean) > MAX_NAME:
        raise InvalidInput(ErrorCode.TOO_LONG, field="rule", limit=MAX_NAME)
    if trigger not in TRIGGERS:
        raise InvalidInput(ErrorCode.BAD_RULE, part="trigger")
    if trigger == "deal_entered_stage" and not isinstance(params.get("stage_id"), int):
        raise InvalidInput(ErrorCode.BAD_RULE, part="stage")
    if trigger == "deal_stale" and not _positive(params.get("days")):
        raise InvalidInput(ErrorCode.BAD_RULE, part="days")
    if trigger == "task_overdue" and not _positive(params.get("hours")):
        raise InvalidInput(ErrorCode.BAD_RULE, part="hours")
    if trigger == "field_changed" and not isinstance(params.get("field"), str):
        raise InvalidInput(ErrorCode.BAD_RULE, part="field")
    if trigger == "record_created" and not isinstance(params.get("type_id"), int):
        raise InvalidInput(ErrorCode.BAD_RULE, part="record_type")
    if trigger == "date_approaching":
        if not isinstance(params.get("field_id"), int):
            raise InvalidInput(ErrorCode.BAD_RULE, part="field")
        days = params.get("days")
        if not isinstance(days, int) or not 0 <= days <= MAX_AHEAD_DAYS:
            raise InvalidInput(ErrorCode.BAD_RULE, part="days")
    if len(conditions) > MAX_CONDITIONS:
        raise InvalidInput(ErrorCode.BAD_RULE, part="conditions_many", limit=MAX_CONDITIONS)
    for condition in conditions:
        field = str(condition.get("field", ""))
        if field not in CONDITION_FIELDS and not field.startswith("custom."):
            raise InvalidInput(ErrorCode.BAD_RULE, part="condition")
        if condition.get("op") not in CONDITION_OPS:
            raise InvalidInput(ErrorCode.BAD_RULE, part="condition")
    if not actions:
        raise InvalidInput(ErrorCode.BAD_RULE, part="action")
    if len(actions) > MAX_ACTIONS:
        raise InvalidInput(ErrorCode.BAD_RULE, part="actions_many", limit=MAX_ACTIONS)
    for action in actions:
        _check_action(action)
        if trigger == "record_created" and action.get("type") not in RECORD_ACTIONS:
            raise InvalidInput(ErrorCode.BAD_RULE, part="record_action")
    due_after(delay, datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")), "UTC")
    return clean


def _check_action(action: dict[str, Any]) -> None:
    kind = action.get("type")
    if kind not in ACTIONS:
        raise InvalidInput(ErrorCode.BAD_RULE, part="action")
    texts = [action.get(key) for key in ("title", "text", "status", "tag", "value")]
    if any(isinstance(t, str) and len(t) > MAX_TEXT for t in texts):
        raise InvalidInput(ErrorCode.TOO_LONG, field="rule", limit=MAX_TEXT)
    needs = {
        "create_task": "title",
        "notify": "text",
        "set_status": "status",
        "add_tag": "tag",
        "remove_tag": "tag",
    }
    if kind in needs and not shows(str(action.get(needs[kind]) or "")):  # (nothing visible too)
        raise InvalidInput(ErrorCode.BAD_RULE, part="action")
    if kind == "notify" and action.get("to") not in ("responsible", "owner", "group"):
        raise InvalidInput(ErrorCode.BAD_RULE, part="action")
    if kind == "move_stage" and not isinstance(action.get("stage_id"), int):
        raise InvalidInput(ErrorCode.BAD_RULE, part="stage")
    if kind == "round_robin":
        members = action.get("members")
        if not members or not all(isinstance(m, int) for m in members):
            raise InvalidInput(ErrorCode.BAD_RULE, part="members")
    if kind == "prepare_template" and not isinstance(action.get("template_id"), int):
        raise InvalidInput(ErrorCode.BAD_RULE, part="template")
    if kind == "set_field" and not (
        isinstance(action.get("field_id"), int) and isinstance(action.get("value"), str)
    ):
        raise InvalidInput(ErrorCode.BAD_RULE, part="field")
    if action.get("due") not in (None, "next_workday"):
        raise InvalidInput(ErrorCode.BAD_RULE, part="delay")
    minutes = action.get("due_minutes", 0)
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_DELAY_MINUTES:
        raise InvalidInput(ErrorCode.BAD_RULE, part="delay")


def _positive(value: object) -> bool:
    return isinstance(value, int) and 0 < value <= 10_000


def due_after(delay: dict[str, Any], now: datetime, timezone: str) -> datetime:
    """When the actions of a firing triggered at ``now`` are due.

    "now": at once; "after": ``minutes`` later; "next_workday": 10:00 (the
    team's time) on the next day from Monday to Friday.
    """
    kind = delay.get("kind", "now")
    if kind == "now":
        return now
    if kind == "after":
        minutes = delay.get("minutes")
        if not isinstance(minutes, int) or not 0 < minutes <= MAX_DELAY_MINUTES:
            raise InvalidInput(ErrorCode.BAD_RULE, part="delay")
        return now + timedelta(minutes=minutes)
    if kind == "next_workday":
        zone = ZoneInfo(timezone)
        day = now.astimezone(zone).date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return datetime.combine(day, time(WORKDAY_HOUR), zone).astimezone(now.tzinfo)
    raise InvalidInput(ErrorCode.BAD_RULE, part="delay")
