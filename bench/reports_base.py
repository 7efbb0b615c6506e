"""The report benchmark's base: the clients base of bench.clients plus two years of deals
moving through the pipelines.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, update

from bench.base_events import load_events
from bench.base_load import client_tasks, load_clients, load_pipelines, load_team
from bench.base_people import Counts, Generator, insert_rows, plan_events
from bench.base_words import BATCH, NOW, OWNER_ID
from bench.common import log
from bench.reports_plan import (
    FIRST_MANAGER_ID,
    DealCounts,
    assign_clients,
    deal_rows,
    plan_deals,
    stage_infos,
)
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.models import Deal, Task, User


def load(
    conn: Connection,
    seed: int,
    n_clients: int,
    n_events: int,
    n_deals: int,
    n_members: int,
) -> tuple[Counts, DealCounts]:
    """Fill an empty, migrated database; ``n_events`` counts the deals' events too."""
    conn.exec_driver_sql("PRAGMA cache_size=-262144")
    rng = random.Random(seed)
    deal_rng = random.Random(seed + 2)
    gen = Generator(rng)
    counts = Counts()
    deal_counts = DealCounts()
    manager_ids = tuple(range(FIRST_MANAGER_ID, FIRST_MANAGER_ID + n_members - 1))

    load_team(conn, gen, manager_ids)
    # A member or two blocked the bot: the digest names them.
    unreachable = manager_ids[3::10]
    conn.execute(
        update(User).where(User.id.in_(unreachable)).values(unreachable_at=NOW - timedelta(days=3))
    )
    deal_counts.unreachable_members = len(unreachable)
    pipelines = stage_infos(load_pipelines(conn))
    conn.commit()

    deals = plan_deals(deal_rng, pipelines, n_deals)
    deal_events = sum(len(d.moves) for d in deals)
    client_events = max(n_events - deal_events, n_clients)
    log(f"  planned {n_deals:,} deals with {deal_events:,} stage events")
    plan = plan_events(rng, n_clients, client_events)
    assign_clients(deal_rng, deals, plan.created_s)
    for deal in deals:
        plan.last_s[deal.client_index] = max(plan.last_s[deal.client_index], deal.moves[-1].at)
    plans = load_clients(conn, rng, gen, plan, counts, manager_ids)

    rows: list[dict[str, Any]] = []
    events: list[tuple[int, dict[str, Any]]] = []
    open_deals: dict[int, list[int]] = {}
    for deal_id, deal in enumerate(deals, start=1):
        client = plans[deal.client_index]
        if deal_rng.random() < 0.05:
            deal.manager_id = OWNER_ID
        else:
            deal.manager_id = client.manager_id or deal_rng.choice(manager_ids)
        row, deal_events_rows = deal_rows(deal_id, deal, deal_rng)
        rows.append(row)
        events.extend(deal_events_rows)
        kind = deal.stage.kind
        deal_counts.open += kind == "open"
        deal_counts.won += kind == "won"
        deal_counts.lost += kind == "lost"
        deal_counts.reopened += sum(m.kind == "deal_reopened" for m in deal.moves)
        if kind == "open":
            open_deals.setdefault(deal.client_index, []).append(deal_id)
        if len(rows) >= BATCH:
            insert_rows(conn, Deal, rows)
    insert_rows(conn, Deal, rows)
    deal_counts.deals = counts.deals = len(deals)
    deal_counts.events = len(events)
    tasks: list[dict[str, Any]] = []
    for index, client in enumerate(plans):
        tasks.extend(
            client_tasks(
                rng, client, index + 1, plan.extra[index], open_deals.get(index, ()), counts
            )
        )
        if len(tasks) >= BATCH:
            insert_rows(conn, Task, tasks)
    insert_rows(conn, Task, tasks)
    conn.commit()
    log(f"  inserted {len(deals):,} deals, {counts.tasks_open + counts.tasks_done:,} tasks")

    events.sort(key=lambda item: item[0])
    load_events(conn, rng, gen, plans, plan, counts, events, manager_ids)
    # No ANALYZE: the app never runs it, so the planner works without statistics here too.
    return counts, deal_counts


async def generate(
    url: str, seed: int, n_clients: int, n_events: int, n_deals: int, n_members: int
) -> tuple[Counts, DealCounts]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            return await conn.run_sync(load, seed, n_clients, n_events, n_deals, n_members)
    finally:
        await engine.dispose()
