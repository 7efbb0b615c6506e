"""Issue 10, item 12 (crm side): a task's text and what it hangs off change; a cancelled task
never reminds; the tasks further ahead than a week are listed ("later")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.app import App
from bot.offline import OfflineSession
from crm.clock import ManualClock
from crm.errors import Conflict, InvalidInput, NotAllowed, NotFound
from crm.service import Crm
from storage.engine import create_session_factory
from storage.models import Event, Task, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MILA = 5301
MARK = 5302


async def actor(crm: Crm, user_id: int) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def kinds(app: App) -> list[tuple[str, int | None, str | None]]:
    async with create_session_factory(app.engine)() as db:
        rows = await db.scalars(select(Event).where(Event.kind.like("task_%")).order_by(Event.id))
        return [(e.kind, e.client_id, e.text) for e in rows]


async def test_text_and_attachment_change_with_events(app: App, join: Joiner) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    await join(MARK, "manager", "Mark", language_code="en")
    client = await make_client(app, MILA, "Acme")
    hidden = await make_client(app, OWNER_ID, "Hidden")
    async with app.crm.open() as crm:
        owner, mila, mark = [await actor(crm, i) for i in (OWNER_ID, MILA, MARK)]
        await crm.client_edits.set_manager(owner, hidden.id, owner.id)
        deal = await crm.deals.create(mila, client.id, 100)
        due = crm.clock.now() + timedelta(days=1)
        task = await crm.tasks.create(mila, "cal Ivan", due)
        with pytest.raises(InvalidInput):
            await crm.task_edits.set_title(mila, task.id, "   ")
        with pytest.raises(NotFound):  # Mark does not see Mila's task
            await crm.task_edits.set_title(mark, task.id, "mine now")
        assert (await crm.task_edits.set_title(mila, task.id, " call  Ivan ")).title == "call Ivan"
        with pytest.raises(NotFound):
            await crm.task_edits.attach(mila, task.id, client_id=hidden.id, deal_id=None)
        moved = await crm.task_edits.attach(mila, task.id, client_id=None, deal_id=deal.id)
        assert (moved.client_id, moved.deal_id) == (client.id, deal.id)
        freed = await crm.task_edits.attach(mila, task.id, client_id=None, deal_id=None)
        assert (freed.client_id, freed.deal_id) == (None, None)
        await crm.tasks.done(mila, task.id)
        with pytest.raises(Conflict):
            await crm.task_edits.set_title(mila, task.id, "too late")
    changed = [k for k in await kinds(app) if k[0] == "task_changed"]
    # renamed (no card); tied to the deal; untied: the deal's client's history says it left
    assert [c[1] for c in changed] == [None, client.id, client.id, None]


async def test_a_cancelled_task_never_reminds(
    app: App, join: Joiner, session: OfflineSession, clock: ManualClock
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    client = await make_client(app, MILA, "Acme")
    async with app.crm.open() as crm:
        mila = await actor(crm, MILA)
        due = crm.clock.now() + timedelta(minutes=30)
        task = await crm.tasks.create(mila, "call Ivan", due, client_id=client.id)
        keep = await crm.tasks.create(mila, "send the offer", due, client_id=client.id)
    await app.ticker.tick()
    async with app.crm.open() as crm:
        await crm.task_edits.cancel(await actor(crm, MILA), task.id)
        with pytest.raises(NotFound):
            await crm.task_edits.cancel(await actor(crm, MILA), task.id)
    session.clear()
    clock.set(due)
    await app.ticker.tick()
    texts = [
        str(r.text) for r in session.requests if isinstance(r, SendMessage) and r.chat_id == MILA
    ]
    assert any("send the offer" in t for t in texts)
    assert not any("call Ivan" in t for t in texts)
    async with create_session_factory(app.engine)() as db:
        assert [t.id for t in await db.scalars(select(Task))] == [keep.id]
    assert ("task_cancelled", client.id, "call Ivan") in await kinds(app)


async def test_later_lists_what_is_beyond_the_week(app: App, join: Joiner) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    async with app.crm.open() as crm:
        mila, owner = await actor(crm, MILA), await actor(crm, OWNER_ID)
        now = crm.clock.now()
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        soon = await crm.tasks.create(mila, "soon", day_start + timedelta(days=7, hours=12))
        far = await crm.tasks.create(mila, "far", day_start + timedelta(days=8))
        farther = await crm.tasks.create(mila, "farther", day_start + timedelta(days=40))
        listed = await crm.task_lists.page(mila, MILA, day_start, 0, 8)
        sections = [(section.value, task.id) for section, task in listed.items]
        assert sections == [("week", soon.id), ("later", far.id), ("later", farther.id)]
        everyone = await crm.task_lists.page(owner, None, day_start, 0, 8)
        assert [(s.value, t.id) for s, t in everyone.items] == sections
        with pytest.raises(NotAllowed):
            await crm.task_lists.page(mila, OWNER_ID, day_start, 0, 8)
