"""Issue 10, item 13 (crm side): one phone or one email is added or removed at a time; another
client's is refused as creating a client refuses it; each change is one event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from crm.errors import Conflict
from crm.service import Crm
from storage.engine import create_session_factory
from storage.models import Event, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def owner(crm: Crm) -> User:
    found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def test_one_phone_and_one_email_at_a_time(app: App) -> None:
    acme = await make_client(app, OWNER_ID, "Acme", phones=("+79990000001",))
    other = await make_client(
        app, OWNER_ID, "Other", phones=("+79990000009",), emails=("ivan@example.com",)
    )
    async with app.crm.open() as crm:
        me = await owner(crm)
        edits = crm.client_edits
        await edits.add_phone(me, acme.id, "+79990000002")
        await edits.add_phone(me, acme.id, "+79990000002")  # a double press: nothing new
        assert (await edits.contacts(acme.id)).phones == ["+79990000001", "+79990000002"]
        with pytest.raises(Conflict) as taken:
            await edits.add_phone(me, acme.id, "+79990000009")
        assert taken.value.code == "duplicate_phone"
        assert taken.value.params["client_id"] == other.id
        with pytest.raises(Conflict) as mail_taken:
            await edits.add_email(me, acme.id, "IVAN@Example.com")
        assert mail_taken.value.code == "duplicate_email"
        await edits.add_email(me, acme.id, "Sales@Acme.com")
        await edits.remove_phone(me, acme.id, "+79990000001")
        await edits.remove_phone(me, acme.id, "+79990000001")  # already gone: nothing
        contacts = await edits.contacts(acme.id)
        assert (contacts.phones, contacts.emails) == (["+79990000002"], ["sales@acme.com"])
        await edits.remove_email(me, acme.id, "sales@acme.com")
        assert (await edits.contacts(acme.id)).emails == []
        assert [c.id for c in await crm.client_queries.search(me, "79990000002")] == [acme.id]
    async with create_session_factory(app.engine)() as db:
        rows = await db.scalars(
            select(Event)
            .where(Event.client_id == acme.id, Event.kind == "field_changed")
            .order_by(Event.id)
        )
        changes = [(e.data["field"], e.data["old"], e.data["new"]) for e in rows]
    assert changes == [
        ("phones", ["+79990000001"], ["+79990000001", "+79990000002"]),
        ("emails", [], ["sales@acme.com"]),
        ("phones", ["+79990000001", "+79990000002"], ["+79990000002"]),
        ("emails", ["sales@acme.com"], []),
    ]
