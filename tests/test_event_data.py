"""What the events of clients, deals and tasks store is what crm/event_data.py declares."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.app import App
from crm.clients import ClientDraft
from crm.event_data import PAYLOADS
from crm.events import EventKind
from crm.imports.mapping import propose
from crm.imports.plan import Policy
from crm.imports.reading import read_table
from storage.engine import create_session_factory
from storage.models import Client, Event
from tests.conftest import OWNER_ID, Joiner

MEMBER_ID = 200


async def test_every_client_deal_and_task_event_stores_its_declared_payload(
    app: App, join: Joiner
) -> None:
    await join(MEMBER_ID, first_name="Bob")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        draft = ClientDraft(name="Acme", phones=("+79991234567",), emails=("a@acme.ru",))
        client = await crm.clients.create(owner, draft)
        other = await crm.clients.create(owner, ClientDraft(name="Globex"))
        assert isinstance(client, Client) and isinstance(other, Client)
        await crm.client_edits.edit_text(owner, client.id, "company", "Acme Ltd")
        await crm.client_edits.set_phones(owner, client.id, ["+79997654321"])
        statuses = await crm.settings.statuses()
        await crm.client_edits.set_status(owner, client.id, statuses[-1].code)
        await crm.client_edits.add_tags(owner, client.id, ["vip"])
        await crm.client_edits.remove_tag(owner, client.id, "vip")
        await crm.client_edits.set_manager(owner, client.id, None)
        await crm.client_edits.set_archived(owner, client.id, True)
        await crm.client_edits.set_archived(owner, client.id, False)
        await crm.timeline.comment(owner, client.id, "Called twice")
        await crm.timeline.call(owner, client.id, "reached", "Wants a discount")
        await crm.timeline.attach(owner, client.id, "photo", "file-1", "offer.jpg", None)

        deal = await crm.deals.create(owner, client.id, 100_000, "Supplies")
        stages = await crm.pipelines.stages()
        opened = [s for s in stages if s.kind == "open"]
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        await crm.deals.move(owner, deal.id, opened[1].id)
        await crm.deals.move(owner, deal.id, won.id)
        await crm.deals.reopen(owner, deal.id)
        await crm.deals.move(owner, deal.id, lost.id, "Too expensive")
        await crm.deals.reopen(owner, deal.id)
        await crm.deals.set_amount(owner, deal.id, 120_000)
        await crm.deals.set_title(owner, deal.id, "Big supplies")
        await crm.deals.set_expected_close(owner, deal.id, date(2026, 12, 31))
        await crm.deals.comment(owner, deal.id, "Sent the offer")
        stranded = await crm.deals.create(owner, client.id, 5_000, "Small")
        await crm.deals.move(owner, stranded.id, opened[-1].id)
        await crm.pipelines.delete_stage(owner, opened[-1].id, opened[0].id)
        await crm.deal_edits.move_to_client(owner, deal.id, other.id)

        due = app.crm.clock.now() + timedelta(hours=3)
        task = await crm.tasks.create(owner, "Call Acme", due, client_id=client.id)
        await crm.tasks.reschedule(owner, task.id, due + timedelta(hours=1))
        await crm.tasks.snooze(owner, task.id, due - timedelta(hours=1))
        await crm.tasks.assign(owner, task.id, MEMBER_ID)
        await crm.task_edits.set_title(owner, task.id, "Call Acme back")
        await crm.client_edits.set_manager(owner, other.id, None)  # Bob sees the deal's client
        await crm.task_edits.attach(owner, task.id, client_id=None, deal_id=deal.id)
        repeating = await crm.tasks.create(owner, "Weekly call", due, repeat="weekly")
        await crm.tasks.done(owner, repeating.id)
        await crm.task_edits.cancel(owner, task.id)
        await crm.deal_edits.delete(owner, stranded.id)
        await crm.client_edits.delete(owner, other.id)

    assert await declared_payloads_of_stored_events(app) >= CLIENT_DEAL_AND_TASK_KINDS


async def test_member_and_import_events_store_their_declared_payloads(
    app: App, join: Joiner
) -> None:
    await join(MEMBER_ID, first_name="Bob")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        maria = await crm.clients.create(owner, ClientDraft(name="Maria", phones=("+79035556677",)))
        assert isinstance(maria, Client)
        csv = "Имя;Телефон;Город\nМария;8 903 555-66-77;Тула\nОлег;8 916 000-00-01;\n"
        table = read_table(csv.encode(), "x.csv")
        await crm.imports.run(owner, table, propose(table.headers), "x.csv", Policy.FILL)
        [batch] = await crm.imports.batches(owner)
        await crm.import_undo.undo(owner, batch.id)
        await crm.members.change_role(owner, MEMBER_ID, "admin")
        await crm.members.set_active(owner, MEMBER_ID, False)
        await crm.members.set_active(owner, MEMBER_ID, True)
        await crm.client_edits.set_manager(owner, maria.id, MEMBER_ID)  # something to hand over
        await crm.handoff.deactivate(owner, MEMBER_ID, OWNER_ID)
    assert await declared_payloads_of_stored_events(app) == {
        "client_created",
        "member_joined",
        "member_role_changed",
        "member_deactivated",
        "member_reactivated",
        "member_handed_over",
        "manager_changed",
        "imported",
        "import_undone",
    }


CLIENT_DEAL_AND_TASK_KINDS = {str(kind) for kind in PAYLOADS} - {
    "member_joined",
    "member_role_changed",
    "member_deactivated",
    "member_reactivated",
    "member_handed_over",
    "imported",
    "import_undone",
}


async def declared_payloads_of_stored_events(app: App) -> set[str]:
    """Checks every stored event of a kind in PAYLOADS has exactly the keys its shape allows."""
    async with create_session_factory(app.engine)() as db:
        stored = list(await db.scalars(select(Event).order_by(Event.id)))
    seen: set[str] = set()
    for event in stored:
        if event.kind not in PAYLOADS:
            continue  # records, links, automation, leads: plain dicts still
        shape = PAYLOADS[EventKind(event.kind)]
        seen.add(event.kind)
        required = shape.__required_keys__  # type: ignore[attr-defined]
        allowed = required | shape.__optional_keys__  # type: ignore[attr-defined]
        assert required <= set(event.data) <= allowed, (event.kind, event.data)
    return seen
