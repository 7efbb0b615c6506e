"""Round-robin gives a deal only to a member who can see its client (the others are passed
over in turn; with no one, the firing is skipped with its reason), and the member given a
client, a deal or a record is told, as one given it by hand is."""

from __future__ import annotations

from typing import Any

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import insert, select, text

from bot.app import App
from bot.offline import OfflineSession
from crm.automation import round_robin
from crm.service import Crm
from storage.engine import create_session_factory
from storage.models import AutomationFiring, AutomationRule, Client, Deal, OutboxMessage, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

MILA, OLEG = 5201, 5202


async def actor(crm: Crm, user_id: int) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def tick(app: App) -> int:
    async with app.crm.open(background=True) as crm:
        return await crm.automation.tick()


async def all_of(app: App, model: type) -> list:  # type: ignore[type-arg]
    async with create_session_factory(app.engine)() as db:
        return list(await db.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]


def texts_to(session: OfflineSession, chat_id: int) -> list[str]:
    return [
        str(request.text)
        for request in session.requests
        if isinstance(request, SendMessage) and request.chat_id == chat_id
    ]


async def contact(crm: Crm) -> int:
    return next(s.id for s in await crm.pipelines.stages() if s.code == "contact")


async def deal_rule(app: App, members: list[int]) -> None:
    """Deals reaching "contact" go round ``members``."""
    async with app.crm.open() as crm:
        await crm.automation.add(
            await actor(crm, OWNER_ID),
            "Share deals",
            "deal_entered_stage",
            {"stage_id": await contact(crm)},
            [{"type": "round_robin", "members": members}],
        )


async def new_deal(app: App, client_id: int, title: str | None = None) -> Deal:
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        deal = await crm.deals.create(owner, client_id, 500, title=title)
        await crm.deals.move(owner, deal.id, await contact(crm))
    return deal


async def test_a_deal_goes_past_a_member_who_cannot_see_its_client(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    await join(OLEG, "manager", "Oleg", language_code="en")
    await deal_rule(app, [OLEG, MILA])
    milas = await make_client(app, OWNER_ID, "Mila's Client")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, milas.id, MILA)
    deal = await new_deal(app, milas.id)
    session.clear()
    assert await tick(app) == 1
    # Oleg's turn, but he could not open the deal: it is Mila's, and Oleg's turn is still next.
    [stored] = await all_of(app, Deal)
    assert stored.manager_id == MILA
    async with app.crm.open() as crm:
        rule = (await crm.automation.rules(await actor(crm, OWNER_ID)))[0].rule
        assert rule.state["rr"] == 2
        assert (await crm.deals.visible(await actor(crm, MILA), deal.id)).id == deal.id


async def test_a_deal_no_member_can_see_is_skipped_with_the_reason(app: App, join: Joiner) -> None:
    await join(OLEG, "manager", "Oleg", language_code="en")
    await deal_rule(app, [OLEG])
    kept = await make_client(app, OWNER_ID, "Owner's Client")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.client_edits.set_manager(owner, kept.id, OWNER_ID)
    await new_deal(app, kept.id)
    await tick(app)
    [stored] = await all_of(app, Deal)
    assert stored.manager_id != OLEG
    firings = [f for f in await all_of(app, AutomationFiring) if f.deal_id == stored.id]
    skipped = [{"type": "round_robin", "skipped": "no member sees the client"}]
    assert [(f.outcome, f.detail) for f in firings] == [("skipped", skipped)]
    assert [m for m in await all_of(app, OutboxMessage) if m.kind == "deal_assigned"] == []

    # With "managers see all" on, Oleg may take it, and he is told.
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        await crm.settings.set_managers_see_all(owner, True)
    second = await new_deal(app, kept.id)
    await tick(app)
    assert {d.id: d.manager_id for d in await all_of(app, Deal)}[second.id] == OLEG


async def test_the_member_a_rule_gives_a_deal_or_a_client_is_told(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    await deal_rule(app, [MILA])
    async with app.crm.open() as crm:
        await crm.automation.add(
            await actor(crm, OWNER_ID),
            "Share leads",
            "client_created",
            {},
            [{"type": "round_robin", "members": [MILA]}],
        )
    client = await make_client(app, OWNER_ID, "Free Client")
    await tick(app)
    await new_deal(app, client.id, "Big order")
    await tick(app)
    notices = sorted(
        (m.kind, m.chat_id) for m in await all_of(app, OutboxMessage) if "assigned" in m.kind
    )
    assert notices == [("client_assigned", MILA), ("deal_assigned", MILA)]
    session.clear()
    await app.sender.drain_once()
    said = texts_to(session, MILA)
    assert any("You are now responsible for the client “Free Client”." in t for t in said)
    assert any(
        "You are now responsible for the deal “Big order” (client: Free Client)." in t for t in said
    )


async def test_the_member_a_rule_gives_a_record_is_told(
    app: App, join: Joiner, session: OfflineSession
) -> None:
    await join(MILA, "manager", "Mila", language_code="en")
    async with app.crm.open() as crm:
        owner = await actor(crm, OWNER_ID)
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        await crm.automation.add(
            owner,
            "Share suppliers",
            "record_created",
            {"type_id": suppliers.id},
            [{"type": "round_robin", "members": [MILA]}],
        )
        await crm.records.create(owner, suppliers.id, "Acme")
    await tick(app)
    notices = [
        (m.kind, m.chat_id) for m in await all_of(app, OutboxMessage) if "assigned" in m.kind
    ]
    assert notices == [("record_assigned", MILA)]
    session.clear()
    await app.sender.drain_once()
    assert any(
        "You are now responsible for “Acme” (Supplier)." in t for t in texts_to(session, MILA)
    )


async def test_a_turn_taken_holds_up_no_firing_queued_for_the_rule(
    app: App, join: Joiner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a batch gives a card in turn, a member's change that queues a firing of the
    same rule (a row naming the rule) is written at once. The batch locked the rule FOR
    UPDATE to take its turn, which holds up every insert of a row pointing at the rule
    until the batch commits; FOR NO KEY UPDATE (crm.row_locks) does not. The firing is
    queued from a second connection between the turn and the batch's commit (a hook on
    ``round_robin.give``), waiting half a second at most for a lock."""
    if app.engine.dialect.name == "sqlite":
        pytest.skip("writers take turns on SQLite: any insert waits for the write lock")
    await join(MILA, "manager", "Mila", language_code="en")
    async with app.crm.open() as crm:
        rule = await crm.automation.add(
            await actor(crm, OWNER_ID),
            "Share leads",
            "client_created",
            {},
            [{"type": "round_robin", "members": [MILA]}],
        )
        now = crm.clock.now()
    first = await make_client(app, OWNER_ID, "First")
    queued: list[int | None] = []
    real_give = round_robin.give

    async def give(*args: Any) -> None:
        await real_give(*args)
        async with app.engine.connect() as other:  # the batch holds the rule meanwhile
            await other.execute(text("SET LOCAL lock_timeout = '500ms'"))
            line = insert(AutomationFiring).values(
                key="queued meanwhile", rule_id=rule.id, created_at=now, due_at=now
            )
            queued.append(await other.scalar(line.returning(AutomationFiring.id)))
            await other.commit()

    monkeypatch.setattr(round_robin, "give", give)
    assert await tick(app) == 1
    [firing_id] = queued
    [stored] = await all_of(app, AutomationRule)
    assert stored.state["rr"] == 1
    assert {f.id: f.rule_id for f in await all_of(app, AutomationFiring)}[firing_id] == rule.id
    assert {c.id: c.manager_id for c in await all_of(app, Client)}[first.id] == MILA
