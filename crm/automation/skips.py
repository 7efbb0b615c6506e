"""Actions a firing could not do: the others are done, and the skipped ones are noted.

An action that cannot be done any more (a member left, a stage or field gone, a
value that no longer fits) raises ``Skipped`` before it writes anything, so the
firing goes on with its other actions. Each skipped one is a line in the
firing's ``done`` list (``{"type", "skipped": why}``), which the firing's
detail and its 🤖 timeline line keep; the rule keeps its last firing's skipped
actions (``state["skipped"]``) for its screen, until a firing skips none.
A firing that could do none of its actions is skipped as a whole (``AllSkipped``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.automation.actions import Actions, Skipped
from storage.models import AutomationRule


class AllSkipped(Skipped):
    """None of the firing's actions could be done; ``done`` says why for each."""

    def __init__(self, done: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(entry["skipped"]) for entry in done))
        self.done = done


async def do_each(actions: Actions, rule: AutomationRule) -> list[dict[str, Any]]:
    """Do the rule's actions in order; a skipped one is noted and the rest go on."""
    done: list[dict[str, Any]] = []
    for number, action in enumerate(rule.actions):
        try:
            done.append(await actions.do(action, number))
        except Skipped as why:
            done.append({"type": str(action.get("type")), "skipped": str(why)})
    if done and all("skipped" in entry for entry in done):
        raise AllSkipped(done)
    return done


def note(rule: AutomationRule, done: list[dict[str, Any]], now: datetime) -> None:
    """Keep on the rule what its latest firing skipped (for its screen), or clear it."""
    skipped = [entry for entry in done if "skipped" in entry]
    if skipped:
        rule.state = {**rule.state, "skipped": {"at": now.isoformat(), "actions": skipped}}
    elif "skipped" in rule.state:
        rule.state = {key: value for key, value in rule.state.items() if key != "skipped"}
