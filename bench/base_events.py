"""Loading the timeline events, and ``generate``: the whole base (100,000 clients, 1,000,000
events by default) through the real migrations.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from bench.base_load import load_clients, load_deals_and_tasks, load_pipelines, load_team
from bench.base_people import (
    ClientPlan,
    Counts,
    EventPlan,
    Generator,
    insert_rows,
    moment,
    plan_events,
)
from bench.base_words import (
    BATCH,
    CALL_NOTES,
    MANAGER_IDS,
    OWNER_ID,
)
from bench.common import log
from crm.timeline import CALL_OUTCOMES
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.models import (
    Event,
)


def load_events(
    conn: Connection,
    rng: random.Random,
    gen: Generator,
    plans: Sequence[ClientPlan],
    plan: EventPlan,
    counts: Counts,
    merged: Iterable[tuple[int, dict[str, Any]]] = (),
    manager_ids: Sequence[int] = MANAGER_IDS,
) -> None:
    """The timeline, oldest first, so event ids follow time as they do in production.

    ``merged``: more events as (seconds after START, row), oldest first; each goes in
    before the first client event that is later than it.
    """
    mask = (1 << plan.shift) - 1
    others = iter(merged)
    pending = next(others, None)
    created_seen = bytearray(len(plans))
    event_rows: list[dict[str, Any]] = []

    def add(row: dict[str, Any]) -> None:
        event_rows.append(row)
        if len(event_rows) >= BATCH * 2:
            counts.events += len(event_rows)
            insert_rows(conn, Event, event_rows)
            if counts.events % 200_000 == 0:
                conn.commit()
                log(f"  inserted {counts.events:,} events")

    for key in plan.keys:
        index = key & mask
        at = key >> plan.shift
        while pending is not None and pending[0] <= at:
            add(pending[1])
            pending = next(others, None)
        client = plans[index]
        actor = client.manager_id or OWNER_ID
        row: dict[str, Any] = dict(
            occurred_at=moment(at),
            actor_id=actor if rng.random() < 0.9 else OWNER_ID,
            client_id=index + 1,
            deal_id=None,
            task_id=None,
            text=None,
        )
        if not created_seen[index]:
            created_seen[index] = 1
            row.update(
                kind="client_created",
                data={"name": client.name, "phones": client.phones, "emails": client.emails},
            )
        else:
            roll = rng.random()
            if roll < 0.45:
                row.update(kind="comment", text=gen.comment(client.city), data={})
            elif roll < 0.75:
                row.update(
                    kind="call",
                    text=rng.choice(CALL_NOTES),
                    data={"outcome": rng.choice(CALL_OUTCOMES)},
                )
            elif roll < 0.87:
                name = rng.choice(("city", "company", "source", "address"))
                row.update(
                    kind="field_changed",
                    data={"field": name, "old": gen.city(), "new": gen.city()},
                )
            elif roll < 0.97:
                row.update(kind="status_changed", data={"old": gen.status(), "new": gen.status()})
            else:
                row.update(
                    kind="manager_changed",
                    data={"old": rng.choice(manager_ids), "new": client.manager_id},
                )
        add(row)
    while pending is not None:
        add(pending[1])
        pending = next(others, None)
    counts.events += len(event_rows)
    insert_rows(conn, Event, event_rows)
    conn.commit()
    log(f"  {counts.events:,} events in all")
    counts.max_client_events = max(plan.extra) + 1 if plan.extra else 0


def load(conn: Connection, rng: random.Random, n_clients: int, n_events: int) -> Counts:
    """Fill an empty, migrated database. Runs on one connection, committing as it goes."""
    conn.exec_driver_sql("PRAGMA cache_size=-262144")
    gen = Generator(rng)
    counts = Counts()
    load_team(conn, gen)
    stages = load_pipelines(conn)
    conn.commit()
    plan = plan_events(rng, n_clients, n_events)
    plans = load_clients(conn, rng, gen, plan, counts)
    load_deals_and_tasks(conn, rng, plans, plan, stages, counts)
    load_events(conn, rng, gen, plans, plan, counts)
    # No ANALYZE: the app never runs it, so the planner works without statistics here too.
    return counts


async def generate(url: str, seed: int, n_clients: int, n_events: int) -> Counts:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            return await conn.run_sync(load, random.Random(seed), n_clients, n_events)
    finally:
        await engine.dispose()
