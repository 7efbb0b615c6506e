"""Two real bot processes in webhook mode on PostgreSQL and Redis.

The test plays Telegram: it posts updates to the instances alternately and
some to both, and redelivers what an instance did not answer. Every update is
handled once, a dialog moves between instances, and an instance killed with
SIGKILL in the middle of a burst loses nothing and sends no reminder twice.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.offline import OfflineSession
from bot.startup import prepare_database
from storage.engine import create_session_factory, write_transaction
from storage.models import OutboxMessage, User
from tests import databases
from tests.cluster import Cluster, message_update, wait_until
from tests.conftest import make_settings

OWNER = 555_000_001
STRANGERS = 700_000_000
MEMBERS = 800_000_000
REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()

# One pair of processes serves every test here (starting one takes seconds); the test
# that kills an instance comes last.
pytestmark = [
    pytest.mark.skipif(
        not (databases.postgres_admin_url() and REDIS_URL),
        reason="needs TEST_POSTGRES_URL and TEST_REDIS_URL",
    ),
    pytest.mark.asyncio(loop_scope="module"),
]


@pytest.fixture(scope="module")
def pg_url(postgres_url: str | None) -> str:
    """The run's migrated database, emptied (a database of its own would cost a migration,
    and dropping it a checkpoint of the whole server)."""
    assert postgres_url is not None
    asyncio.run(databases.empty_postgres(postgres_url))
    return postgres_url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seeded(pg_url: str) -> AsyncIterator[App]:
    """The owner and the pipeline, as the first start makes them; used to write tasks."""
    app = build_app(make_settings(pg_url, owner_ids=(OWNER,)), session=OfflineSession())
    await prepare_database(app)
    yield app
    await app.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(
    pg_url: str, seeded: App, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    running = Cluster(
        pg_url,
        f"{REDIS_URL.rstrip('/')}/0",
        tmp_path_factory.mktemp("instances"),
        extra={"UPDATE_TAKEOVER_SECONDS": "4", "OUTBOX_POLL_SECONDS": "0.2"},
    )
    try:
        await running.start(OWNER)
        yield running
    finally:
        await running.close()


def replies_to(cluster: Cluster, chat_id: int) -> int:
    return sum(1 for call in cluster.api.sent() if call.chat_id == chat_id)


async def test_two_instances_share_the_work_exactly_once(cluster: Cluster) -> None:
    a, b = cluster.instances
    # Health and metrics answer on both.
    for instance in (a, b):
        status, body = await cluster.get(instance, "/healthz")
        assert status == 200
        status, body = await cluster.get(instance, "/readyz")
        assert status == 200 and '"redis": "ok"' in body and '"database": "ok"' in body

    # Alternately, and every fourth to both (Telegram retried it): each is handled once.
    chats = [STRANGERS + number for number in range(24)]
    for number, chat in enumerate(chats):
        update = message_update(1000 + number, chat, "hello")
        targets = [a, b] if number % 4 == 0 else [(a, b)[number % 2]]
        for target in targets:
            assert await cluster.post(target, update)
    assert await wait_until(lambda: all(replies_to(cluster, c) >= 1 for c in chats), 20)
    await wait_until(lambda: False, 0.5)  # a second reply would come by now
    assert [replies_to(cluster, chat) for chat in chats] == [1] * len(chats)
    handled_by = Counter(call.instance for call in cluster.api.sent() if call.chat_id in chats)
    assert sum(handled_by.values()) == len(chats)
    totals = 0.0
    for instance in (a, b):
        status, text = await cluster.get(instance, "/metrics")
        assert status == 200
        totals += sum(
            float(line.split()[-1])
            for line in text.splitlines()
            if line.startswith('kartoteka_updates_total{outcome="ok",type="message"}')
        )
        assert "kartoteka_updates_duplicate_total" in text
    assert totals == len(chats)

    # A dialog begun on one instance goes on on the other. (The owner may also get the
    # daily summary meanwhile, so the answers are found by what they say.)
    def to_owner(words: str) -> list[Any]:
        return [c for c in cluster.api.sent() if c.chat_id == OWNER and words in (c.text or "")]

    assert await cluster.post(a, message_update(2000, OWNER, "/new"))
    assert await wait_until(lambda: bool(to_owner("Как зовут клиента")), 10)
    assert await cluster.post(b, message_update(2001, OWNER, "Иван Петров"))
    assert await wait_until(lambda: bool(to_owner("Откуда пришёл клиент")), 10)
    [source_question] = to_owner("Откуда пришёл клиент")  # the dialog's next question
    assert source_question.instance == "b"


async def test_an_instance_killed_mid_burst_loses_nothing_and_repeats_no_reminder(
    cluster: Cluster, seeded: App
) -> None:
    a, b = cluster.instances
    members = [MEMBERS + number for number in range(12)]
    async with seeded.crm.open() as crm:
        owner = await crm.members.get_active(OWNER)
        assert owner is not None
    async with create_session_factory(seeded.engine)() as session, write_transaction(session):
        for member in members:
            session.add(
                User(
                    id=member,
                    full_name=f"M{member}",
                    role="manager",
                    language="ru",
                    timezone="Europe/Moscow",
                    created_at=owner.created_at,
                    morning_list=False,
                )
            )
    # Reminders due in a moment; the fake Telegram holds the answers to them for now,
    # so the instance that sends them is in the middle of it when it is killed.
    cluster.api.hold(lambda call: call.method == "sendMessage" and call.chat_id in members)
    async with seeded.crm.open() as crm:
        for member in members:
            due = datetime.now(UTC) + timedelta(seconds=1)
            await crm.tasks.create(owner, f"Позвонить {member}", due, assignee_id=member)
    if not await wait_until(lambda: len(cluster.api.held) >= 1, 30):
        seen = [(c.instance, c.method, c.chat_id) for c in cluster.api.arrived[-5:]]
        state = [
            line
            for instance in (a, b)
            for line in (await cluster.get(instance, "/metrics"))[1].splitlines()
            if line.startswith(("kartoteka_outbox", "kartoteka_messages_sent"))
        ]
        logs = [instance.log.read_text()[-1500:] for instance in (a, b)]
        raise AssertionError(f"nothing went out: {seen} {state} {logs}")
    # The instance holding the tick's lease sends; it is the one to kill.
    sender = a if cluster.api.held[0].instance == a.name else b
    survivor = b if sender is a else a

    # A burst from strangers, alternately; the sender is killed a third of the way in.
    chats = [STRANGERS + 100 + number for number in range(30)]
    unanswered = []
    for number, chat in enumerate(chats):
        if number == 10:
            sender.kill()
        target = (a, b)[number % 2]
        update = message_update(3000 + number, chat, "hello")
        if not await cluster.post(target, update):
            unanswered.append(update)
    # Telegram redelivers what was not answered; the proxy sends it to the live instance.
    for update in unanswered:
        assert await cluster.post(survivor, update)
    assert unanswered, "the killed instance answered everything: it was not killed"
    assert await wait_until(lambda: all(replies_to(cluster, c) >= 1 for c in chats), 20), [
        c for c in chats if not replies_to(cluster, c)
    ]

    # The killed instance comes back under its name and takes back its claimed messages.
    cluster.api.release()
    sender.start()
    await cluster.ready(sender)
    # One "task assigned" and one reminder each: the reminders are claimed by whichever
    # instance holds the clock's lease (it may be the killed one's, until it lapses).
    rows = 0
    for _ in range(200):
        async with create_session_factory(seeded.engine)() as session:
            count = select(func.count()).where(OutboxMessage.chat_id.in_(members))
            rows = int(await session.scalar(count) or 0)
        if rows >= 2 * len(members):
            break
        await asyncio.sleep(0.1)
    assert rows == 2 * len(members)
    assert await wait_until(lambda: all(replies_to(cluster, m) == 2 for m in members), 20), {
        m: replies_to(cluster, m) for m in members
    }
    await wait_until(lambda: False, 1.0)
    assert {m: replies_to(cluster, m) for m in members} == {m: 2 for m in members}
    # A clean stop within the bound.
    # (Waited for in a thread: the fake Telegram answers in this loop, and an update the
    # survivor is finishing when told to stop may still be sending.)
    assert await asyncio.to_thread(survivor.stop, 30) == 0
