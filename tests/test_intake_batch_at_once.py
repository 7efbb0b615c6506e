"""A lead arriving on a card while Spam on the card's last waiting lead archives it.

On PostgreSQL the batch read the known card's ``archived_at`` unlocked and decided from
it whether to restore the card; Spam (which locks the card, counts no other waiting lead
and archives it) committing in between left the new lead waiting in /incoming on an
archived card, with no "unarchived" line on its timeline. The batch now locks the cards
it lands on before reading them (crm.intake.batch_cards). Spam is played by a second
connection that holds the card locked as Spam locks it (crm.row_locks), its lead thrown
out and the card archived, not committed; on SQLite the batch waits for the write lock.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update

from bot.app import App
from crm.clock import ManualClock
from crm.events import EventKind
from crm.intake import batch, batch_cards
from storage.models import Client, ClientPhone, Event, Lead, LeadSource
from tests.at_once import lock
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID
from tests.test_intake_core import add_source, post

LOCK_WAITS = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)
PHONE = "+79990001122"


async def waits_for_a_lock(app: App) -> None:
    """Until someone waits for a row lock (PostgreSQL), or a moment (SQLite)."""
    if app.engine.dialect.name != "postgresql":
        await asyncio.sleep(0.2)
        return
    async with app.engine.connect() as watcher:
        for _ in range(100):
            if await watcher.scalar(text(LOCK_WAITS)):
                return
            await watcher.rollback()
            await asyncio.sleep(0.05)
    raise AssertionError("the batch waited for nothing the other connection holds")


async def test_a_lead_on_a_card_spam_archives_meanwhile_brings_it_back(
    app: App, clock: ManualClock
) -> None:
    token = await add_source(app)
    spammer = await post(app, token, name="Гость", phone=PHONE, n="1")
    async with app.engine.connect() as db:
        card = await db.scalar(select(Lead.client_id).where(Lead.id == spammer))
    assert card is not None

    async with app.engine.connect() as other:  # Spam on the first lead, not yet committed
        await other.execute(lock(Client, card))
        await other.execute(update(Lead).where(Lead.id == spammer).values(spam_at=clock.now()))
        await other.execute(update(Client).where(Client.id == card).values(archived_at=clock.now()))
        arriving = asyncio.create_task(post(app, token, name="Гость", phone=PHONE, n="2"))
        await waits_for_a_lock(app)
        assert not arriving.done()  # it waits for Spam's transaction
        await other.commit()
    lead = await arriving

    async with app.engine.connect() as db:
        archived_at = await db.scalar(select(Client.archived_at).where(Client.id == card))
        unarchived = (
            await db.scalars(
                select(Event.data).where(
                    Event.client_id == card, Event.kind == EventKind.UNARCHIVED
                )
            )
        ).all()
    assert archived_at is None  # the new lead brought the card back
    assert unarchived == [{"lead_id": lead}]
    async with app.crm.open() as crm:
        queued = await crm.incoming.waiting(await member(app, OWNER_ID))
    assert [(q.lead_id, q.client_id) for q in queued] == [(lead, card)]


@pytest.mark.parametrize("merged_card", ["deleted", "kept"])
async def test_a_lead_on_a_card_merged_meanwhile_lands_on_the_card_it_went_into(
    app: App, monkeypatch: pytest.MonkeyPatch, merged_card: str
) -> None:
    """Card "Guest" is merged into "Acme" (its phone moved there; the card deleted, or
    kept without it) between the batch's read of whose the lead's phone is and its lock
    on that card. The batch read the phone's card before the lock: it found "Guest" gone
    and made a second card with Acme's phone, or landed the lead on "Guest", which no
    longer has it. The owners are now read again under the lock: the lead lands on Acme.
    The merge is made from a second connection by a hook on the batch's lock
    (``columns_locked``), so it falls between the two steps; on SQLite the batch holds
    the write lock from its start and takes no card locks."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("the batch holds SQLite's write lock from its start: nothing comes between")
    token = await add_source(app)
    acme = await make_client(app, OWNER_ID, "Acme", phones=("+79990003344",))
    guest = await make_client(app, OWNER_ID, "Guest", phones=(PHONE,))
    real_lock = batch_cards.columns_locked
    merges = []

    async def merging_first(*args: Any) -> Any:
        if not merges:
            async with app.engine.connect() as other:
                moved = update(ClientPhone).where(ClientPhone.client_id == guest.id)
                await other.execute(moved.values(client_id=acme.id))
                if merged_card == "deleted":
                    await other.execute(delete(Client).where(Client.id == guest.id))
                await other.commit()
            merges.append(guest.id)
        return await real_lock(*args)

    monkeypatch.setattr(batch_cards, "columns_locked", merging_first)
    lead = await post(app, token, name="Гость", phone=PHONE)
    assert merges == [guest.id]
    async with app.engine.connect() as db:
        assert await db.scalar(select(Lead.client_id).where(Lead.id == lead)) == acme.id
        owners = select(ClientPhone.client_id).where(ClientPhone.e164 == PHONE)
        assert (await db.scalars(owners)).all() == [acme.id]


async def test_a_batch_holds_up_no_row_written_about_its_source(
    app: App, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch locks its sources against another batch of the same source (the dedupe
    check), which it still does, but no longer FOR UPDATE: that held up, until the batch
    committed, every insert of a row naming the source (a lead) that had not taken the
    lock itself; FOR NO KEY UPDATE (crm.row_locks) does not. The lead is written from a
    second connection between the sources' lock and the batch's commit (a hook on
    ``known_cards``), waiting half a second at most for a lock."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("writers take turns on SQLite: any insert waits for the write lock")
    token = await add_source(app)
    async with app.engine.connect() as db:
        source_id = await db.scalar(select(LeadSource.id))
    written: list[int | None] = []
    real_known_cards = batch.known_cards

    async def known_cards(*args: Any) -> Any:
        async with app.engine.connect() as other:  # the batch holds its sources meanwhile
            await other.execute(text("SET LOCAL lock_timeout = '500ms'"))
            line = insert(Lead).values(
                channel="form", source_id=source_id, dedupe_key="t:1", received_at=clock.now()
            )
            written.append(await other.scalar(line.returning(Lead.id)))
            await other.commit()
        return await real_known_cards(*args)

    monkeypatch.setattr(batch, "known_cards", known_cards)
    lead = await post(app, token, name="Гость", phone=PHONE)
    [other_lead] = written
    async with app.engine.connect() as db:
        sources = select(Lead.id, Lead.source_id).order_by(Lead.id)
        assert (await db.execute(sources)).all() == [(other_lead, source_id), (lead, source_id)]
