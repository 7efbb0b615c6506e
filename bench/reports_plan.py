"""Planning the report benchmark's deals: stages, their moves over two years, who owns them,
and the rows to insert.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.base_people import moment, seconds
from bench.base_words import DEAL_TITLES, LOST_REASONS, NOW, OWNER_ID, PIPELINES
from crm.config import CrmConfig

DEAL_HISTORY = timedelta(days=730)
FIRST_MANAGER_ID = 200_001
TEAM_ZONE = ZoneInfo(CrmConfig().default_timezone)


@dataclass(frozen=True)
class StageInfo:
    id: int
    name: str
    kind: str
    stale_days: int | None


@dataclass(frozen=True)
class Move:
    """One stage event of a deal, as ``crm.deals`` writes it."""

    at: int  # seconds after bench.clients.START
    kind: str
    source: StageInfo | None
    target: StageInfo
    reason: str | None = None


@dataclass
class DealPlan:
    pipeline_id: int
    title: str
    amount: int
    moves: list[Move]
    client_index: int = -1
    manager_id: int = OWNER_ID

    @property
    def stage(self) -> StageInfo:
        return self.moves[-1].target

    @property
    def created(self) -> int:
        return self.moves[0].at


@dataclass
class DealCounts:
    deals: int = 0
    open: int = 0
    won: int = 0
    lost: int = 0
    reopened: int = 0
    events: int = 0
    unreachable_members: int = 0


def stage_infos(stages: Sequence[tuple[int, int, str]]) -> dict[int, list[StageInfo]]:
    """The stages ``load_pipelines`` wrote, by pipeline, with their names and stale days."""
    described = [stage for _, pipeline_stages in PIPELINES for stage in pipeline_stages]
    by_pipeline: dict[int, list[StageInfo]] = {}
    for (pipeline_id, stage_id, kind), (name, _kind, stale) in zip(stages, described, strict=True):
        by_pipeline.setdefault(pipeline_id, []).append(StageInfo(stage_id, name, kind, stale))
    return by_pipeline


def deal_moves(
    rng: random.Random, stages: Sequence[StageInfo], created: int, now_s: int
) -> list[Move]:
    """A deal's way through the pipeline until it closes, is forgotten, or NOW comes.

    From an open stage the next step, some days later (about the stage's stale
    days), is mostly forward (now and then over a stage), sometimes lost, back,
    or won straight away; from the last open stage mostly won. A few lost deals
    are reopened on the stage they were lost from, as ``Deals.reopen`` does. A
    deal nobody touches again stays where it is and goes stale.
    """
    opened = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    moves = [Move(created, "deal_created", None, opened[0])]
    at, pos, current = created, 0, opened[0]
    while current.kind != "won":
        days = 0.7 * (current.stale_days or 10)
        at += int(max(rng.expovariate(1 / days), 0.02) * 86_400)
        if at >= now_s:
            break
        roll = rng.random()
        if current.kind == "lost":
            if roll >= 0.04:
                break
            moves.append(Move(at, "deal_reopened", current, opened[pos]))
            current = opened[pos]
            continue
        last = pos == len(opened) - 1
        if roll < 0.05:
            break  # forgotten
        if roll < 0.25:
            moves.append(Move(at, "deal_lost", current, lost, rng.choice(LOST_REASONS)))
            current = lost
        elif roll < 0.28 and pos > 0:
            pos -= 1
            moves.append(Move(at, "stage_changed", current, opened[pos]))
            current = opened[pos]
        elif roll < 0.31 or last:
            moves.append(Move(at, "deal_won", current, won))
            current = won
        else:
            pos = min(pos + (2 if rng.random() < 0.15 else 1), len(opened) - 1)
            moves.append(Move(at, "stage_changed", current, opened[pos]))
            current = opened[pos]
    return moves


def plan_deals(
    rng: random.Random, pipelines: dict[int, list[StageInfo]], n_deals: int
) -> list[DealPlan]:
    """Deals created over the last two years, more lately (the business grows), oldest first."""
    now_s = seconds(NOW)
    span = int(DEAL_HISTORY.total_seconds()) - 3_600
    first = now_s - int(DEAL_HISTORY.total_seconds())
    deals = []
    for _ in range(n_deals):
        # Density rises linearly to twice the starting rate: invert its CDF.
        share = math.sqrt(1 + 3 * rng.random()) - 1
        created = first + int(share * span)
        pipeline_id = 1 if rng.random() < 0.8 else 2
        amount = round(math.exp(rng.uniform(math.log(5_000), math.log(5_000_000))), -2) * 100
        deals.append(
            DealPlan(
                pipeline_id=pipeline_id,
                title=rng.choice(DEAL_TITLES).format(n=rng.randrange(10, 9999)),
                amount=int(amount),
                moves=deal_moves(rng, pipelines[pipeline_id], created, now_s),
            )
        )
    deals.sort(key=lambda d: d.created)
    return deals


def assign_clients(rng: random.Random, deals: Sequence[DealPlan], created_s: Sequence[int]) -> None:
    """Each deal goes to a client that existed before it: mostly a recent lead, else anyone."""
    for deal in deals:
        before = max(bisect.bisect_left(created_s, deal.created - 600), 1)
        recent = bisect.bisect_left(created_s, deal.created - 60 * 86_400)
        low = recent if rng.random() < 0.6 and recent < before else 0
        deal.client_index = rng.randrange(low, before)


def stage_data(stage: StageInfo, prefix: str) -> dict[str, object]:
    # As crm.event_data.stage_move: id, code (these stages have names, no codes), name.
    return {prefix: stage.id, f"{prefix}_code": None, f"{prefix}_name": stage.name}


def deal_rows(
    deal_id: int, deal: DealPlan, rng: random.Random
) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    """The deal's row and its events as (seconds, row), the way ``crm.deals`` writes them."""
    last = deal.moves[-1]
    closing = last if last.target.kind != "open" else None
    row = dict(
        id=deal_id,
        client_id=deal.client_index + 1,
        pipeline_id=deal.pipeline_id,
        stage_id=last.target.id,
        title=deal.title,
        amount_minor=deal.amount,
        currency="RUB",
        manager_id=deal.manager_id,
        lost_reason=closing.reason if closing else None,
        expected_close=None,
        created_by=deal.manager_id,
        created_at=moment(deal.created),
        stage_changed_at=moment(last.at),
        last_activity_at=moment(last.at),
        closed_at=moment(closing.at) if closing else None,
    )
    events = []
    for move in deal.moves:
        data: dict[str, object]
        if move.source is None:
            data = {"title": deal.title, "amount": deal.amount, "currency": "RUB"}
            data.update(stage_data(move.target, "to"))
        else:
            data = {**stage_data(move.source, "from"), **stage_data(move.target, "to")}
            data.update(amount=deal.amount, currency="RUB")
            if move.reason is not None:
                data["reason"] = move.reason
        events.append(
            (
                move.at,
                dict(
                    occurred_at=moment(move.at),
                    actor_id=deal.manager_id if rng.random() < 0.85 else OWNER_ID,
                    kind=move.kind,
                    client_id=deal.client_index + 1,
                    deal_id=deal_id,
                    task_id=None,
                    text=None,
                    data=data,
                ),
            )
        )
    return row, events
