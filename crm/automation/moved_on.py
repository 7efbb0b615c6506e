"""Whether a deal moved on since a rule was set off, so a late action about its stage is skipped.

A rule's move waits for its delay; a deal won, lost or moved on by anyone since the
rule was set off (its stage changed after the firing was made) keeps where it was put:
the move is skipped as "moved since". A delayed task, message or prepared template of
a rule set off by where a deal is (it entered a stage, was won or lost, stood still in
a stage) is skipped the same way: no follow-up for an offer the deal is past, no "call
them" for a deal already won. Only a delayed one: a rule acting at once acts before
anyone could move the deal, and another rule's move on the same stage at the same tick
must not cancel it. A firing's own move is no one else's: its later actions still act; nor
does a move made in the same batch by another firing count (two rules a day after a deal
enters a stage, one moving it on, the other making a follow-up, both act whichever goes
first): such an action looks at the deal as its batch found it (``before_the_batch``).
Other actions (tags, status, fields, a turn) and rules set off by anything
else (a new client, a field, a date, an overdue task) act as before.
"""

from __future__ import annotations

from datetime import datetime

from storage.models import AutomationFiring, AutomationRule, Deal

STAGE_TRIGGERS = ("deal_entered_stage", "deal_won", "deal_lost", "deal_stale")
ABOUT_THE_STAGE = ("create_task", "notify", "prepare_template")


def since(firing: AutomationFiring, deal: Deal | None, *, by_itself: bool) -> bool:
    """The firing's deal was won, lost or moved on since the firing was made, and not by the
    firing itself (``by_itself``: one of its own actions moved it)."""
    return deal is not None and not by_itself and deal.stage_changed_at > firing.created_at


def about_the_stage(rule: AutomationRule, kind: str) -> bool:
    """An action of ``kind`` of ``rule`` (not a move, which checks for itself) is skipped once
    its deal has moved on: a delayed task, message or template of a rule set off by where a
    deal is."""
    delayed = str(rule.delay.get("kind", "now")) != "now"
    return delayed and rule.trigger in STAGE_TRIGGERS and kind in ABOUT_THE_STAGE


def before_the_batch(firing: AutomationFiring, staged: dict[int, datetime]) -> bool:
    """The firing's deal had been won, lost or moved on since the firing was made when its
    batch began (``staged``: each deal's last change of stage as the batch found it)."""
    changed = staged.get(firing.deal_id) if firing.deal_id is not None else None
    return changed is not None and changed > firing.created_at
