"""Cards made without a person filling a dialog (a website form's lead, a Telegram Business
chat) are made even when a required field is empty: their "created" events say which, and
the card shows them with the way to fill them in."""

from __future__ import annotations

from typing import TypeVar

import pytest
from sqlalchemy import select

from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from handlers.clients.callbacks import CardAction, ClientCb
from handlers.deals.callbacks import DealCb
from storage.models import Client, Deal, FieldDef
from tests.conftest import OWNER_ID, Joiner
from tests.test_intake_flow import add_source_in_settings, post_lead

MAX = 200_002
IVAN = customer(900_001, "Ivan", "Petrov", username="ivanp")


async def required(app: App, kind: CardKind, name: str, type_: FieldType) -> FieldDef:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        field = await crm.fields.define(owner, kind, name, type_)
        return await crm.fields.set_required(owner, field.id, True)


M = TypeVar("M", Client, Deal)


async def only(app: App, model: type[M]) -> M:
    async with app.crm.open() as crm:
        [found] = list(await crm.clients._session.scalars(select(model)))
    return found


async def test_a_form_lead_is_made_with_its_required_fields_flagged(
    app: App, owner_en: SimulatedUser
) -> None:
    await required(app, CardKind.CLIENT, "INN", FieldType.TEXT)
    await required(app, CardKind.CLIENT, "Line", FieldType.TEXT)
    await required(app, CardKind.DEAL, "Budget", FieldType.MONEY)
    line = await add_source_in_settings(owner_en, "Landing")
    await owner_en.press("Deal for each lead: no")  # the source opens a deal too
    await post_lead(app, line, {"Name": "Guest", "Phone": "+79991234567"})

    client = await only(app, Client)
    [card] = await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    assert "⚠️ Required, not filled: INN, Line (🧩 Fields)" in card.text
    assert "client added · ⚠️ required, not filled: INN, Line" in card.text
    [fields] = await owner_en.press("🧩 Fields")
    assert "• INN * ⚠️: —" in fields.text
    await owner_en.press("✏️ INN")
    await owner_en.send("7701234567")
    [card] = await owner_en.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    assert "⚠️ Required, not filled: Line (🧩 Fields)" in card.text

    deal = await only(app, Deal)
    [deal_card] = await owner_en.press_data(DealCb(action="open", deal_id=deal.id).pack())
    assert "⚠️ Required, not filled: Budget (🧩 Fields)" in deal_card.text
    assert "required, not filled: Budget" in deal_card.text  # its "created" line


@pytest.fixture
async def max_(join: Joiner) -> SimulatedUser:
    return await join(MAX, first_name="Max", language_code="en")


async def test_a_business_chat_card_is_made_with_its_required_fields_flagged(
    app: App, max_: SimulatedUser
) -> None:
    await required(app, CardKind.CLIENT, "INN", FieldType.TEXT)
    account = SimulatedBusiness(app.dispatcher, app.bot, max_.user, connection_id="conn-max")
    await account.connect()
    await account.writes(IVAN, "Hello, do you deliver?")
    client = await only(app, Client)
    assert client.name == "Ivan Petrov"  # the lead is not lost for the empty field
    [card] = await max_.press_data(ClientCb(action=CardAction.OPEN, client_id=client.id).pack())
    assert "⚠️ Required, not filled: INN (🧩 Fields)" in card.text
    assert "client added · ⚠️ required, not filled: INN" in card.text
