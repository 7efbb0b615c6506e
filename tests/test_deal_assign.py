"""Issue 10, item 3: a deal goes only to a manager who can see its client, and they are told."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.app import App
from bot.offline import OfflineSession
from crm.errors import Conflict
from crm.service import Crm
from storage.engine import create_session_factory
from storage.models import OutboxMessage, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MILA = 5101


async def actor(crm: Crm, user_id: int) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def notices(app: App) -> list[OutboxMessage]:
    async with create_session_factory(app.engine)() as db:
        rows = await db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "deal_assigned"))
        return list(rows)


def texts_to(session: OfflineSession, chat_id: int) -> list[str]:
    return [
        str(request.text)
        for request in session.requests
        if isinstance(request, SendMessage) and request.chat_id == chat_id
    ]


async def test_a_deal_of_an_unseen_client_is_refused_with_the_reason(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    client = await make_client(app, OWNER_ID, "Owner's Client")
    async with app.crm.open() as crm:
        owner, mila = await actor(crm, OWNER_ID), await actor(crm, MILA)
        await crm.client_edits.set_manager(owner, client.id, owner.id)
        deal = await crm.deals.create(owner, client.id, 500, title="Big order")
        with pytest.raises(Conflict) as refused:
            await crm.deals.set_manager(owner, deal.id, MILA)
        assert refused.value.code == "client_not_visible"
        assert refused.value.params["client"] == "Owner's Client"
        assert refused.value.params["responsible"] == owner.full_name
        assert refused.value.params["member"] == "Mila"
        assert (await crm.deals.visible(owner, deal.id)).manager_id != MILA
    assert await notices(app) == []

    # Once the client is hers, the deal can be given to her, and she is told once.
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, client.id, MILA)
        moved = await crm.deals.set_manager(owner, deal.id, MILA)
        assert moved.manager_id == MILA
        mila = await actor(crm, MILA)
        assert (await crm.deals.visible(mila, deal.id)).id == deal.id
    [notice] = await notices(app)
    assert (notice.chat_id, notice.payload["deal_id"]) == (MILA, deal.id)

    session.clear()
    await app.sender.drain_once()
    assert any(
        "You are now responsible for the deal “Big order” (client: Owner's Client)." in text
        for text in texts_to(session, MILA)
    )


async def test_an_unassigned_client_or_see_all_lets_the_deal_go(app: App, join: Joiner) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    free = await make_client(app, OWNER_ID, "Free Client")
    kept = await make_client(app, OWNER_ID, "Kept Client")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, free.id, None)
        await crm.client_edits.set_manager(owner, kept.id, owner.id)
        first = await crm.deals.create(owner, free.id, 100)
        await crm.deals.set_manager(owner, first.id, MILA)
        await crm.settings.set_managers_see_all(owner, True)
        second = await crm.deals.create(owner, kept.id, 100)
        await crm.deals.set_manager(owner, second.id, MILA)
        # Giving a deal to oneself is no news.
        await crm.deals.set_manager(owner, second.id, OWNER_ID)
    assert sorted(n.payload["deal_id"] for n in await notices(app)) == sorted([first.id, second.id])
