"""Loading the generated team, pipelines, clients, deals and tasks into a migrated database."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from bench.base_people import (
    ClientPlan,
    Counts,
    EventPlan,
    Generator,
    insert_rows,
    moment,
    seconds,
)
from bench.base_words import (
    BATCH,
    DEAL_TITLES,
    LOST_REASONS,
    MANAGER_IDS,
    NOW,
    OWNER_ID,
    PIPELINES,
    SOURCES,
    START,
    STREETS,
    TASK_TITLES,
)
from bench.common import log
from crm.client_index import search_text
from crm.parsing.search_text import fold
from storage.models import (
    Client,
    ClientEmail,
    ClientPhone,
    ClientTag,
    Deal,
    LostReason,
    Pipeline,
    Stage,
    Task,
    User,
)


def load_team(conn: Connection, gen: Generator, manager_ids: Sequence[int] = MANAGER_IDS) -> None:
    """The owner and the managers, all active, in Moscow."""
    team_created = START - timedelta(days=30)
    users: list[dict[str, Any]] = [
        dict(id=OWNER_ID, full_name="Ольга Владелица", role="owner", username="owner")
    ]
    for index, user_id in enumerate(manager_ids):
        users.append(
            dict(id=user_id, full_name=gen.person().name, role="manager", username=f"m{index}")
        )
    for user in users:
        user.update(
            active=True,
            language="ru",
            timezone="Europe/Moscow",
            created_at=team_created,
            invited_by=None if user["id"] == OWNER_ID else OWNER_ID,
        )
    insert_rows(conn, User, users)


def load_pipelines(conn: Connection) -> list[tuple[int, int, str]]:
    """``PIPELINES`` and ``LOST_REASONS``; returns (pipeline id, stage id, kind) per stage."""
    stages: list[tuple[int, int, str]] = []
    stage_id = 0
    for pipeline_id, (pipeline_name, pipeline_stages) in enumerate(PIPELINES, start=1):
        insert_rows(
            conn,
            Pipeline,
            [dict(id=pipeline_id, name=pipeline_name, position=pipeline_id)],
        )
        rows = []
        for position, (stage_name, kind, stale_days) in enumerate(pipeline_stages):
            stage_id += 1
            stages.append((pipeline_id, stage_id, kind))
            rows.append(
                dict(
                    id=stage_id,
                    pipeline_id=pipeline_id,
                    name=stage_name,
                    position=position,
                    kind=kind,
                    stale_days=stale_days,
                )
            )
        insert_rows(conn, Stage, rows)
    insert_rows(
        conn,
        LostReason,
        [dict(id=i, text=t, position=i) for i, t in enumerate(LOST_REASONS, start=1)],
    )
    return stages


def load_clients(
    conn: Connection,
    rng: random.Random,
    gen: Generator,
    plan: EventPlan,
    counts: Counts,
    manager_ids: Sequence[int] = MANAGER_IDS,
) -> list[ClientPlan]:
    """Clients with their phones, emails and tags; ids are 1.. in the order of ``plan``."""
    n_clients = len(plan.created_s)
    plans: list[ClientPlan] = []
    client_rows: list[dict[str, Any]] = []
    phone_rows: list[dict[str, Any]] = []
    email_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    for index in range(n_clients):
        client_id = index + 1
        person = gen.person()
        company = gen.company(person)
        city = gen.city()
        phones = [gen.phone() for _ in range(rng.choices((0, 1, 2, 3), (5, 75, 17, 3))[0])]
        emails = gen.emails(person, company, client_id)
        tags = gen.tags()
        manager_id = None if rng.random() < 0.08 else rng.choice(manager_ids)
        archived = rng.random() < 0.02
        status = gen.status()
        plans.append(ClientPlan(manager_id, status, city, person.name, phones, emails))
        client_rows.append(
            dict(
                id=client_id,
                name=person.name,
                name_folded=fold(person.name),
                search_text=search_text(person.name, company, city, emails, tags, phones),
                company=company,
                city=city,
                address=(
                    f"ул. {rng.choice(STREETS)}, д. {rng.randrange(1, 120)}"
                    if rng.random() < 0.3
                    else None
                ),
                status=status,
                source=rng.choice(SOURCES),
                manager_id=manager_id,
                custom_fields={},
                created_by=manager_id or OWNER_ID,
                created_at=moment(plan.created_s[index]),
                last_activity_at=plan.last_activity(index),
                archived_at=plan.last_activity(index) if archived else None,
            )
        )
        phone_rows.extend(dict(client_id=client_id, e164=p, digits=p[1:]) for p in phones)
        email_rows.extend(dict(client_id=client_id, email=e) for e in emails)
        tag_rows.extend(dict(client_id=client_id, tag=t) for t in tags)
        counts.phones += len(phones)
        counts.emails += len(emails)
        counts.tags += len(tags)
        counts.archived += archived
        if len(client_rows) >= BATCH:
            insert_rows(conn, Client, client_rows)
            insert_rows(conn, ClientPhone, phone_rows)
            insert_rows(conn, ClientEmail, email_rows)
            insert_rows(conn, ClientTag, tag_rows)
    insert_rows(conn, Client, client_rows)
    insert_rows(conn, ClientPhone, phone_rows)
    insert_rows(conn, ClientEmail, email_rows)
    insert_rows(conn, ClientTag, tag_rows)
    conn.commit()
    counts.clients = n_clients
    log(f"  inserted {n_clients:,} clients")
    return plans


def client_tasks(
    rng: random.Random,
    plan: ClientPlan,
    client_id: int,
    busy: int,
    open_deals: Sequence[int],
    counts: Counts,
) -> list[dict[str, Any]]:
    """A client's tasks, due within 30 days either side of NOW: more for busier clients.

    Open ones may hang off one of ``open_deals``.
    """
    rows: list[dict[str, Any]] = []
    n_open = rng.randrange(1, 4) if busy > 100 else (1 if rng.random() < 0.25 else 0)
    n_done = rng.randrange(0, 3) if rng.random() < 0.4 else 0
    for number in range(n_open + n_done):
        done = number >= n_open
        due = NOW + timedelta(hours=rng.randrange(-24 * 30, 24 * 30))
        rows.append(
            dict(
                title=rng.choice(TASK_TITLES),
                due_at=due,
                remind_at=due - timedelta(minutes=15),
                reminded_at=due - timedelta(minutes=15) if due < NOW else None,
                nudged_at=None,
                priority=rng.choice(("normal", "normal", "high", "low")),
                repeat=None,
                assignee_id=plan.manager_id or OWNER_ID,
                client_id=client_id,
                deal_id=rng.choice(open_deals) if open_deals and not done else None,
                created_by=plan.manager_id or OWNER_ID,
                created_at=due - timedelta(days=rng.randrange(1, 20)),
                done_at=due if done else None,
            )
        )
    counts.tasks_open += n_open
    counts.tasks_done += n_done
    return rows


def load_deals_and_tasks(
    conn: Connection,
    rng: random.Random,
    plans: Sequence[ClientPlan],
    plan: EventPlan,
    stages: Sequence[tuple[int, int, str]],
    counts: Counts,
) -> None:
    """Deals (each on one stage, without a history) and tasks: more for busier clients."""
    now_s = seconds(NOW)
    deal_rows: list[dict[str, Any]] = []
    task_rows: list[dict[str, Any]] = []
    deal_id = 0
    for index, client in enumerate(plans):
        client_id = index + 1
        busy = plan.extra[index]
        created_s = plan.created_s[index]
        n_deals = (
            rng.randrange(2, 6) if busy > 100 else (1 if rng.random() < 0.3 + busy / 200 else 0)
        )
        client_deals: list[int] = []
        for _ in range(n_deals):
            deal_id += 1
            pipeline_id = 1 if rng.random() < 0.8 else 2
            choices = [s for s in stages if s[0] == pipeline_id]
            _, stage, kind = rng.choice(choices)
            created = created_s + int(rng.random() * (now_s - created_s))
            changed = created + int(rng.random() * (now_s - created))
            closed = moment(changed) if kind != "open" else None
            if kind == "open":
                client_deals.append(deal_id)
            deal_rows.append(
                dict(
                    id=deal_id,
                    client_id=client_id,
                    pipeline_id=pipeline_id,
                    stage_id=stage,
                    title=rng.choice(DEAL_TITLES).format(n=rng.randrange(10, 9999)),
                    amount_minor=rng.randrange(5_000, 5_000_000) * 100,
                    currency="RUB",
                    manager_id=client.manager_id,
                    lost_reason=rng.choice(LOST_REASONS) if kind == "lost" else None,
                    expected_close=None,
                    created_by=client.manager_id or OWNER_ID,
                    created_at=moment(created),
                    stage_changed_at=moment(changed),
                    last_activity_at=moment(changed),
                    closed_at=closed,
                )
            )
        counts.deals += n_deals
        task_rows.extend(client_tasks(rng, client, client_id, busy, client_deals, counts))
        if len(deal_rows) >= BATCH or len(task_rows) >= BATCH:
            insert_rows(conn, Deal, deal_rows)  # first: tasks refer to deals
            insert_rows(conn, Task, task_rows)
    insert_rows(conn, Deal, deal_rows)
    insert_rows(conn, Task, task_rows)
    conn.commit()
    log(f"  inserted {counts.deals:,} deals, {counts.tasks_open + counts.tasks_done:,} tasks")
