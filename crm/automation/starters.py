"""The starter rules, one tap each: what small businesses most often automate first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STALE_DAYS = 7


@dataclass(frozen=True)
class Starter:
    code: str
    trigger: str
    params: dict[str, Any]
    actions: list[dict[str, Any]]
    delay: dict[str, Any] = field(default_factory=lambda: {"kind": "now"})
    # The stage it needs (looked up at creation): an "Offer"-like open stage.
    needs_offer_stage: bool = False


STARTERS: dict[str, Starter] = {
    "call_new": Starter(
        "call_new",
        "client_created",
        {},
        [
            {
                "type": "create_task",
                "title": "Call back {client.name}",
                "due_minutes": 15,
                "assignee": "responsible",
                "priority": "high",
            }
        ],
    ),
    "offer_follow_up": Starter(
        "offer_follow_up",
        "deal_entered_stage",
        {},
        [
            {
                "type": "create_task",
                "title": "Follow up on the offer: {deal.title}",
                "due_minutes": 2 * 24 * 60,
                "assignee": "responsible",
            }
        ],
        needs_offer_stage=True,
    ),
    "stale_deal": Starter(
        "stale_deal",
        "deal_stale",
        {"days": STALE_DAYS},
        [{"type": "notify", "to": "owner", "text": "{deal.title} has not moved for a week"}],
    ),
    "ask_review": Starter(
        "ask_review",
        "deal_won",
        {},
        [
            {
                "type": "create_task",
                "title": "Ask {client.name} for a review",
                "due_minutes": 7 * 24 * 60,
                "assignee": "responsible",
            }
        ],
    ),
}

# Built-in stage codes and words in stage names that mean "the offer was sent".
OFFER_CODES = ("proposal", "offer")
OFFER_WORDS = ("offer", "proposal", "кп", "предложен")
