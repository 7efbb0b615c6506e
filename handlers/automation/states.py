"""The rule builder's dialog: the rule as it is being put together, kept between presses."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from aiogram.fsm.state import StatesGroup

from handlers.kit.dialogs import DialogData
from handlers.kit.gated import owners_step


class RuleFlow(StatesGroup):
    building = owners_step()  # presses; typed text answers ``asking``


@dataclass(frozen=True)
class RuleDraft(DialogData):
    """``rule``: JSON of trigger, params, conditions, actions, delay; ``asking``: what a typed
    text is (source, amount_gt, amount_lt, cond_source, tag, title, text, add_tag, name), or
    which buttons' question is open (a stage, a field…; ``trigger``, ``conditions``, ``action``,
    ``delay``: their screens);
    ``pending``: the action or condition being filled in (JSON). The rule's ``names`` and
    ``fields`` keep what the parts it names are called, as they were chosen, for its text.
    ``started``: the draft's own token, carried by its "🔄 Start over" (an older one's press
    drops no draft begun since; 0: a draft begun before drafts had one)."""

    rule: str = "{}"
    asking: str = ""
    pending: str = "{}"
    started: int = 0

    def data(self) -> dict[str, Any]:
        return _object(self.rule)

    def action(self) -> dict[str, Any]:
        return _object(self.pending)

    def with_rule(self, **changes: Any) -> RuleDraft:
        return replace(self, rule=json.dumps({**self.data(), **changes}))

    def with_action(self, **changes: Any) -> RuleDraft:
        return replace(self, pending=json.dumps({**self.action(), **changes}))

    def add_condition(self, condition: dict[str, Any]) -> RuleDraft:
        conditions = [*self.data().get("conditions", []), condition]
        return self.with_rule(conditions=conditions)

    def with_name(self, kind: str, key: object, name: str) -> RuleDraft:
        """The rule names a part: what it is called, as chosen (``rule_words.Names``)."""
        names = self.data().get("names") or {}
        return self.with_rule(names={**names, kind: {**names.get(kind, {}), str(key): name}})

    def with_field(self, notes: dict[str, dict[str, str]]) -> RuleDraft:
        """The rule names a custom field: its name and type (``rule_texts.field_notes``)."""
        return self.with_rule(fields={**(self.data().get("fields") or {}), **notes})

    def finish_action(self) -> RuleDraft:
        actions = [*self.data().get("actions", []), self.action()]
        return replace(self.with_rule(actions=actions), pending="{}")


def _object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
