"""Making test clients through the CRM core, for flow tests that start from a card."""

from __future__ import annotations

from bot.app import App
from crm.clients import ClientDraft
from storage.models import Client, User


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
