"""Every kind of message the bot sends on its own is listed once and renders to words."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.app import App
from bot.i18n import build_i18n
from crm.clients import ClientDraft
from crm.clock import ManualClock
from crm.groups import TOPICS
from crm.outbox import GROUP_KINDS, OutboxKind, group_kind
from reminders.render import RENDERERS, UnknownKind, render
from storage.models import Client
from tests.conftest import OWNER_ID

GROUP_ID = -100_500


def test_every_outbox_kind_has_a_renderer() -> None:
    assert set(RENDERERS) == set(OutboxKind)


def test_every_group_topic_has_its_kind() -> None:
    assert {group_kind(topic) for topic in TOPICS} == GROUP_KINDS
    with pytest.raises(ValueError):
        group_kind("gossip")


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_every_outbox_kind_renders_to_words_from_the_current_data(
    app: App, language: str
) -> None:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        client = await crm.clients.create(owner, ClientDraft(name="Acme"))
        assert isinstance(client, Client)
        deal = await crm.deals.create(owner, client.id, 150_000, "Supplies")
        suppliers = await crm.record_types.create(owner, "Supplier", "Suppliers", "🏭")
        record = await crm.records.create(owner, suppliers.id, "Acme")
        due = app.crm.clock.now() + timedelta(hours=2)
        task = await crm.tasks.create(owner, "Call Acme", due, client_id=client.id)
        finished = await crm.tasks.create(owner, "Send the offer", due, client_id=client.id)
        await crm.tasks.done(owner, finished.id)
        await crm.groups.bind(owner, GROUP_ID, "Sales")
        item = {"name": "Acme", "title": "Supplies", "client": "Acme", "amount": 150_000}
        payloads: dict[OutboxKind, tuple[int, dict[str, Any]]] = {
            OutboxKind.TASK_REMINDER: (OWNER_ID, {"task_id": task.id}),
            OutboxKind.TASK_EARLY: (OWNER_ID, {"task_id": task.id}),
            OutboxKind.TASK_NUDGE: (OWNER_ID, {"task_id": task.id}),
            OutboxKind.TASK_ASSIGNED: (OWNER_ID, {"task_id": task.id}),
            OutboxKind.TASK_DONE: (OWNER_ID, {"task_id": finished.id}),
            OutboxKind.TASK_CANCELLED: (OWNER_ID, {"task_id": 99, "title": "Call", "by": OWNER_ID}),
            OutboxKind.CLIENT_ASSIGNED: (OWNER_ID, {"client_id": client.id}),
            OutboxKind.RECORD_ASSIGNED: (OWNER_ID, {"record_id": record.id}),
            OutboxKind.CLIENT_DELETED: (OWNER_ID, {"client_id": client.id, "name": "Acme"}),
            OutboxKind.HANDED_OVER: (OWNER_ID, {"clients": 1, "deals": 2, "tasks": 3}),
            OutboxKind.DEAL_ASSIGNED: (OWNER_ID, {"deal_id": deal.id}),
            OutboxKind.INVITE_ACCEPTED: (OWNER_ID, {"name": "Bob", "role": "manager"}),
            OutboxKind.ROLE_CHANGED: (OWNER_ID, {"role": "owner"}),
            OutboxKind.ACCESS_CHANGED: (OWNER_ID, {"active": True}),
            OutboxKind.MISSED_REMINDERS: (OWNER_ID, {"missed": [task.id]}),
            OutboxKind.BOT_LEFT_GROUP: (OWNER_ID, {"title": "Team"}),
            **{kind: (GROUP_ID, dict(item)) for kind in GROUP_KINDS},
            # Said when sent only of a task still open and overdue (two days on, below).
            OutboxKind.GROUP_TASK_OVERDUE: (GROUP_ID, dict(item, task_id=task.id)),
            OutboxKind.AUTOMATION_NOTICE: (OWNER_ID, {"rule": "Welcome", "text": "Call them"}),
            OutboxKind.AUTOMATION_TEMPLATE: (OWNER_ID, {"rule": "Offer", "template": "Offer"}),
            OutboxKind.AUTOMATION_PAUSED: (OWNER_ID, {"rule": "Loop", "limit": 50}),
            OutboxKind.DIGEST: (OWNER_ID, {"day": due.date().isoformat()}),
            OutboxKind.MORNING: (OWNER_ID, {"day": due.date().isoformat()}),
            OutboxKind.LEAD_NEW: (OWNER_ID, {"lead_id": 1, "client_id": client.id, "name": "Acme"}),
            OutboxKind.LEAD_QUEUE: (OWNER_ID, {"lead_id": 1, "client_id": client.id}),
            OutboxKind.NIGHTLY_BACKUP: (OWNER_ID, {"day": due.date().isoformat()}),
            OutboxKind.BUSINESS_NEW_CLIENT: (
                OWNER_ID,
                {"client_id": client.id, "name": "Acme", "username": "acme"},
            ),
        }
        assert set(payloads) == set(OutboxKind)
        assert isinstance(app.crm.clock, ManualClock)
        app.crm.clock.advance(timedelta(days=2))
        i18n = build_i18n("ru")
        with i18n.context(), i18n.use_locale(language):
            for kind, (chat_id, payload) in payloads.items():
                rendered = await render(crm, kind, payload, chat_id)
                assert rendered is not None, kind
                text = rendered.text.as_html()
                assert text.strip() and "None" not in text, (kind, text)
                assert "_" not in text, (kind, text)  # no kind shown as it is stored
            with pytest.raises(UnknownKind):
                await render(crm, "group_gossip", dict(item), GROUP_ID)
