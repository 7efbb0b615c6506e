"""Making test clients through the CRM core, for flow tests that start from a card."""

from __future__ import annotations

from bot.app import App
from crm.cards import CardKind
from crm.clients import ClientDraft
from crm.parsing.fields import FieldType
from storage.models import Client, User
from tests.conftest import OWNER_ID


async def member(app: App, user_id: int) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def make_client(app: App, actor_id: int, name: str, **fields: object) -> Client:
    async with app.crm.open() as crm:
        actor = await crm.members.get_active(actor_id)
        assert actor is not None
        created = await crm.clients.create(actor, ClientDraft(name=name, **fields), force=True)  # type: ignore[arg-type]
    assert isinstance(created, Client)
    return created


async def deal_with_budget(app: App, manager_id: int | None) -> tuple[int, int]:
    """Managers see all clients; a deal with a Budget number field, managed by
    ``manager_id`` (None: nobody's). Returns the deal's and the field's ids."""
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.settings.set_managers_see_all(me, True)
        budget = await crm.fields.define(me, CardKind.DEAL, "Budget", FieldType.NUMBER)
        deal = await crm.deals.create(me, client.id, 100, "Big order")
        await crm.deals.set_manager(me, deal.id, manager_id)
    return deal.id, budget.id
