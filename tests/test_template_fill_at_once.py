""" "✏️ Fill … now" while another member fills the same field: the value typed for the
template goes in only if the field is still empty when it is written, under the card's
lock (crm.row_locks), never over the value the other wrote a moment before.

The check that the field is missing and the write used to be separate transactions: a
value committed between them was overwritten. The other member is a second connection
that has locked the card, as every edit of it does, and written its value without
committing; the typed value waits for it and then finds the field filled (on SQLite it
waits for the write lock).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from storage.models import Client, ClientPhone, Deal, Event, FieldValue
from tests.at_once import acme_deal, lock, once_other_commits
from tests.test_templates_filled_meanwhile import company, company_asked
from tests.test_templates_flow import events

Other = Callable[[AsyncConnection], Awaitable[None]]


async def test_a_value_typed_while_another_member_fills_the_field_does_not_overwrite_it(
    app: App, owner_en: SimulatedUser
) -> None:
    deal = await company_asked(app, owner_en)
    async with app.engine.connect() as other:  # another member's edit, not committed yet
        await other.execute(lock(Client, deal.client_id))
        await other.execute(
            update(Client).where(Client.id == deal.client_id).values(company="Roga & Co")
        )
        told, ready = await once_other_commits(other, owner_en.send("Horns Ltd"))
    assert told.text == (
        "Someone filled {client.company} meanwhile: «Roga & Co». Yours was not saved; "
        "the template is filled with what the card has now."
    )
    assert ready.text == "Dear Ivan Petrov (Roga & Co)"
    assert await company(app, deal.client_id) == "Roga & Co"
    assert await events(app, "field_changed") == []  # nothing of "Horns Ltd" was written
    assert len(await events(app, "template_prepared")) == 1


async def _phone(other: AsyncConnection, client_id: int, _deal_id: int) -> None:
    row = {"client_id": client_id, "e164": "+79991234567", "digits": "79991234567"}
    await other.execute(insert(ClientPhone).values(row))


async def _amount(other: AsyncConnection, _client_id: int, deal_id: int) -> None:
    await other.execute(update(Deal).where(Deal.id == deal_id).values(amount_minor=700_00))


@pytest.mark.parametrize("field", ["client.phone", "deal.amount", "client.custom", "deal.custom"])
async def test_a_field_filled_by_another_member_meanwhile_keeps_their_value(
    app: App, field: str
) -> None:
    owner, deal = await acme_deal(app)
    async with app.crm.open() as crm:
        await crm.deals.set_amount(owner, deal.id, 0)  # an amount of 0 is "not filled"
        kind = CardKind.DEAL if field == "deal.custom" else CardKind.CLIENT
        store = await crm.fields.define(owner, kind, "Склад", FieldType.TEXT)

    async def custom(other: AsyncConnection, client_id: int, deal_id: int) -> None:
        card = {"deal_id": deal_id} if kind == CardKind.DEAL else {"client_id": client_id}
        await other.execute(
            insert(FieldValue).values(field_id=store.id, text_value="Север", **card)
        )

    write = {"client.phone": _phone, "deal.amount": _amount}.get(field, custom)
    name = f"custom.{store.id}" if field.endswith("custom") else field

    async def fill() -> bool:
        async with app.crm.open() as crm:
            return await crm.template_fields.fill(
                owner, name, "8 912 000-00-00" if field == "client.phone" else "1500",
                client_id=deal.client_id, deal_id=deal.id,
            )  # fmt: skip

    async with app.engine.connect() as other:
        await other.execute(lock(Client, deal.client_id))
        await other.execute(lock(Deal, deal.id))
        await write(other, deal.client_id, deal.id)
        assert await once_other_commits(other, fill()) is False
    async with app.engine.connect() as db:
        phones = list(await db.scalars(select(ClientPhone.e164)))
        amount = await db.scalar(select(Deal.amount_minor).where(Deal.id == deal.id))
        values = list(await db.scalars(select(FieldValue.text_value)))
        kinds = list(await db.scalars(select(Event.kind)))
    assert phones == (["+79991234567"] if field == "client.phone" else [])
    assert amount == (700_00 if field == "deal.amount" else 0)
    assert values == (["Север"] if field.endswith("custom") else [])
    assert kinds.count("field_changed") == kinds.count("custom_field_changed") == 0
    assert kinds.count("deal_changed") == 1  # the amount set to 0 above, nothing since
