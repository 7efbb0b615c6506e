"""Leads from the website set off automation rules as clients typed by hand do, on every
backend: the batch that writes them queues the firings in its own transaction."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import App
from crm.intake.batch import Accepted
from crm.intake.drafts import LeadDraft
from crm.tokens import token_hash
from storage.engine import create_session_factory, write_transaction
from storage.models import AutomationFiring, Client, ClientTag, Deal, Task
from tests.conftest import OWNER_ID
from tests.test_automation_core import owner, stage, starter, tick
from tests.test_intake_web import http, new_source, write_at_once  # noqa: F401  (the fixture)


async def tasks(app: App) -> list[Task]:
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(Task).order_by(Task.id)))


async def test_a_website_lead_sets_off_call_new_leads_and_a_deal_rule(
    app: App,
    http: TestClient[web.Request, web.Application],  # noqa: F811
) -> None:
    await starter(app, "call_new")
    first = await stage(app, "lead")
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me,
            "Site leads only",
            "client_created",
            {},
            [{"type": "create_task", "title": "Site: {client.name}"}],
            conditions=[{"field": "source", "op": "eq", "value": "Сайт"}],
        )
        await crm.automation.add(
            me,
            "Other sources",
            "client_created",
            {},
            [{"type": "create_task", "title": "Never"}],
            conditions=[{"field": "source", "op": "eq", "value": "Avito"}],
        )
        await crm.automation.add(
            me,
            "New deal",
            "deal_entered_stage",
            {"stage_id": first},
            [{"type": "create_task", "title": "Deal: {deal.title}"}],
        )
    token = await new_source(app, assign="member", member_ids=(OWNER_ID,), open_deal=True)
    response = await http.post(f"/leads/{token}", json={"Name": "Иван", "Phone": "+79991234567"})
    assert response.status == 200
    assert await tick(app) == 3
    made = await tasks(app)
    assert sorted(t.title for t in made) == ["Call back Иван", "Deal: Иван", "Site: Иван"]
    async with create_session_factory(app.engine)() as db:
        client = await db.scalar(select(Client))
        deal = await db.scalar(select(Deal))
        firings = list(await db.scalars(select(AutomationFiring)))
    assert client is not None and deal is not None
    assert {t.client_id for t in made} == {client.id}
    assert [t.deal_id for t in made if t.title.startswith("Deal")] == [deal.id]
    assert all(f.outcome == "done" for f in firings) and len(firings) == 3
    # The same lead again is a duplicate: nothing new is set off.
    again = await http.post(f"/leads/{token}", json={"Name": "Иван", "Phone": "+79991234567"})
    assert again.status == 200 and await tick(app) == 0


async def test_a_batch_fires_for_its_new_cards_and_reads_a_known_card_s_tags(app: App) -> None:
    first = await stage(app, "lead")
    async with app.crm.open() as crm:
        me = await owner(crm)
        await crm.automation.add(
            me, "Hello", "client_created", {}, [{"type": "create_task", "title": "Hello"}]
        )
        await crm.automation.add(
            me,
            "VIP deal",
            "deal_entered_stage",
            {"stage_id": first},
            [{"type": "create_task", "title": "VIP {client.name}"}],
            conditions=[{"field": "tag", "op": "has", "value": "vip"}],
        )
    token = await new_source(app, open_deal=True)
    source = token_hash(token)
    [known] = await write_at_once(app, [LeadDraft(source, "b:0", name="Old", phone="+79990000001")])
    assert isinstance(known, Accepted)
    async with create_session_factory(app.engine)() as db, write_transaction(db):
        client_id = await db.scalar(select(Client.id))
        db.add(ClientTag(client_id=client_id, tag="vip"))
    drafts = [
        LeadDraft(source, "b:1", name="Old again", phone="+79990000001"),
        LeadDraft(source, "b:2", name="New 1", phone="+79990000002"),
        LeadDraft(source, "b:3", name="New 2", email="new2@example.com"),
    ]
    assert all(isinstance(o, Accepted) for o in await write_at_once(app, drafts))
    assert await tick(app) == 4
    titles = sorted(t.title for t in await tasks(app))
    assert titles == ["Hello", "Hello", "Hello", "VIP Old"]
