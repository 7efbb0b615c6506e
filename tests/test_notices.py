"""Issue 10, item 15 (crm side): members are told, through the outbox, when a client is given
to them, when a task they set for someone is done, and when a client of theirs is deleted."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select, update

from bot.app import App
from bot.offline import OfflineSession
from crm.outbox import OutboxKind
from crm.service import Crm
from storage.models import Event, OutboxMessage, Record, User
from tests.at_once import lock, once_other_commits
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MILA = 5401


async def actor(crm: Crm, user_id: int) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


def texts_to(session: OfflineSession, chat_id: int) -> list[str]:
    return [
        str(r.text) for r in session.requests if isinstance(r, SendMessage) and r.chat_id == chat_id
    ]


async def test_members_are_told_about_what_is_theirs(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    client = await make_client(app, OWNER_ID, "Acme")
    await app.sender.drain_once()
    session.clear()
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, client.id, MILA)
        await crm.client_edits.set_manager(owner, client.id, OWNER_ID)  # to oneself: no notice
        await crm.client_edits.set_manager(owner, client.id, MILA)
        due = crm.clock.now() + timedelta(days=1)
        task = await crm.tasks.create(owner, "send the offer", due, assignee_id=MILA)
        mine = await crm.tasks.create(owner, "my own", due)
    await app.sender.drain_once()
    # Given twice in the same instant (a frozen test clock): told once.
    assert texts_to(session, MILA)[0] == "You are now responsible for the client “Acme”."
    assert texts_to(session, MILA)[1].startswith("📌 A new task for you")
    assert texts_to(session, OWNER_ID) == []

    session.clear()
    async with app.crm.open() as crm:
        await crm.tasks.done(await actor(crm, MILA), task.id)
        await crm.tasks.done(await actor(crm, OWNER_ID), mine.id)  # one's own: no notice
        await crm.client_edits.delete(await actor(crm, OWNER_ID), client.id)
    await app.sender.drain_once()
    assert texts_to(session, OWNER_ID) == [
        "Mila выполнил(а) задачу «send the offer»."
    ]  # in Russian
    assert texts_to(session, MILA) == ["Your client “Acme” was deleted."]


async def test_a_long_named_clients_deletion_notice_fits_its_key(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    """The outbox key is at most 200 characters (PostgreSQL refuses longer): a name of 200
    goes with the notice, not into its key."""
    from sqlalchemy import select

    from storage.models import OutboxMessage

    await join(MILA, "manager", "Mila", language_code="en")
    name = "A" * 200
    client = await make_client(app, MILA, name)
    async with app.crm.open() as crm:
        await crm.client_edits.delete(await actor(crm, OWNER_ID), client.id)
        [row] = await crm.clients._session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "client_deleted")
        )
        assert len(row.dedupe_key) <= 200 and row.payload["name"] == name
    session.clear()
    await app.sender.drain_once()
    assert texts_to(session, MILA) == [f"Your client “{name}” was deleted."]


async def test_a_member_given_a_record_is_told_as_for_a_client(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    """The "👤 Responsible" of a record: the new one is told through the outbox, unless they
    gave it to themselves; a record given on to someone else before the notice went out
    tells nothing (rendered from the record as it is then)."""
    await join(MILA, "manager", "Mila", language_code="en")
    await join(MILA + 1, "manager", "Lev", language_code="en")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        kind = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        acme = await crm.records.create(owner, kind.id, "Acme")
        later = await crm.records.create(owner, kind.id, "Later")
    await app.sender.drain_once()
    session.clear()
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.records.set_manager(owner, acme.id, MILA)
        await crm.records.set_manager(owner, later.id, None)
        await crm.records.set_manager(owner, later.id, OWNER_ID)  # to oneself: no notice
        await crm.records.set_manager(owner, later.id, MILA + 1)
        await crm.records.set_manager(owner, later.id, None)  # taken back before it went out
    async with app.engine.connect() as db:
        told = await db.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.kind == OutboxKind.RECORD_ASSIGNED)
        )
        assert sorted(told) == [MILA, MILA + 1]  # none for the owner who took it
    await app.sender.drain_once()
    assert texts_to(session, MILA) == ["You are now responsible for “Acme” (Supplier)."]
    assert texts_to(session, MILA + 1) == texts_to(session, OWNER_ID) == []


async def acme_record(app: App) -> Record:
    """The owner's record "Acme" of a new type "Supplier"."""
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        kind = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        return await crm.records.create(owner, kind.id, "Acme")


async def changed_meanwhile(
    app: App, record: Record, values: dict[str, object], work: Coroutine[Any, Any, None]
) -> None:
    """``work`` run while a second connection holds ``record`` locked and changed by
    ``values``, uncommitted (as another member's change would); it must wait for it."""
    async with app.engine.connect() as other:
        await other.execute(lock(Record, record.id))
        await other.execute(update(Record).where(Record.id == record.id).values(**values))
        await once_other_commits(other, work)


async def test_a_record_given_by_two_members_at_once_is_changed_and_told_once(
    app: App, join: Joiner
) -> None:
    """Two members give a record to Mila at once: the later waits for the earlier (the
    record's row lock, as a client's set_manager takes) and finds it hers already, so it
    writes no second change and tells her nothing more. The earlier is a second connection
    holding its change uncommitted (its own event and notice left out); on SQLite the later
    waits for the write lock."""
    await join(MILA, "manager", "Mila", language_code="en")
    acme = await acme_record(app)

    async def give() -> None:
        async with app.crm.open() as crm:
            await crm.records.set_manager(await actor(crm, OWNER_ID), acme.id, MILA)

    await changed_meanwhile(app, acme, {"manager_id": MILA}, give())
    async with app.engine.connect() as db:
        told = await db.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.kind == OutboxKind.RECORD_ASSIGNED)
        )
        changes = await db.scalars(select(Event.id).where(Event.kind == "manager_changed"))
        assert (list(told), list(changes)) == ([], [])


@pytest.mark.parametrize("change", ["rename", "archive"])
async def test_a_record_renamed_or_archived_by_two_at_once_is_changed_once(
    app: App, change: str
) -> None:
    """Two members rename (or archive) a record at once: the later waits for the earlier's
    row lock (as set_manager does), reads the record afresh, finds the change made and
    writes no second event (on PostgreSQL it read the record as it was and wrote one
    more, its own change over the earlier's)."""
    acme = await acme_record(app)

    async def press() -> None:
        async with app.crm.open() as crm:
            owner = await actor(crm, OWNER_ID)
            if change == "rename":
                await crm.records.rename(owner, acme.id, "Acme Ltd")
            else:
                await crm.records.set_archived(owner, acme.id, True)

    done = {"title": "Acme Ltd", "title_folded": "acme ltd"}
    values = done if change == "rename" else {"archived_at": acme.created_at}
    await changed_meanwhile(app, acme, values, press())
    async with app.engine.connect() as db:
        kinds = await db.scalars(
            select(Event.kind).where(Event.record_id == acme.id).order_by(Event.id)
        )
        assert list(kinds) == ["record_created"]
