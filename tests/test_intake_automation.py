"""Leads from the website set off automation rules as clients typed by hand do, on every
backend: the batch that writes them queues the firings in its own transaction."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import App
from storage.engine import create_session_factory
from storage.models import AutomationFiring, Client, Deal, Task
from tests.conftest import OWNER_ID
from tests.test_automation_core import owner, stage, starter, tick
from tests.test_intake_web import http, new_source  # noqa: F401  (the fixture)


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
