"""Cards made without a person filling a dialog (a website form's lead, a Telegram Business
chat) are made even when a required field is empty: their "created" events say which, and
the card shows them with the way to fill them in."""

from __future__ import annotations

import asyncio
from typing import TypeVar

import pytest
from sqlalchemy import select

from bot.app import App
from bot.business_simulator import SimulatedBusiness, customer
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.imports.reading import read_table
from crm.imports.required import Required
from crm.imports.rows import RowDraft
from crm.parsing.fields import FieldType, Parsed
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


CSV = "\r\n".join(
    [
        "ФИО;Телефон;ИНН",
        "Иван Петров;+79161234567;7701234567",
        "Анна Смирнова;+79161112233;",
        "Мария;+79035556677;500100732259",
    ]
).encode("cp1251")


async def finished(app: App) -> None:
    await asyncio.gather(*list(app.dispatcher["background"]))


async def clients(app: App) -> dict[str, int]:
    async with app.crm.open() as crm:
        found = await crm.clients._session.scalars(select(Client))
        return {c.name: c.id for c in found}


async def test_an_import_rejects_the_rows_lacking_a_required_field_when_told(
    app: App, owner_en: SimulatedUser
) -> None:
    await required(app, CardKind.CLIENT, "ИНН", FieldType.TEXT)
    [screen] = await owner_en.send_document("база.csv", data=CSV)
    assert "3. ИНН → 🧩 ИНН" in screen.text
    [preview] = await owner_en.press("Preview")
    assert "Rows without a required field: 1 — reject them, or import them" in preview.text
    assert "Required fields with no column" not in preview.text
    assert "Skip them" not in str(preview.buttons)  # the question comes first, once
    [preview] = await owner_en.press("Reject those rows")
    assert "Rows without a required field: 1 — they are rejected" in preview.text
    assert "Rows that cannot be read: 1" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    rejected = read_table(owner_en.last_message().data or b"")
    assert [(row[0], row[-1]) for row in rejected.rows] == [
        ("Анна Смирнова", "required field «ИНН» is empty")
    ]
    assert sorted(await clients(app)) == ["Иван Петров", "Мария"]


async def test_an_import_keeps_the_rows_lacking_a_required_field_flagged(
    app: App, owner_en: SimulatedUser
) -> None:
    await required(app, CardKind.CLIENT, "Линейка", FieldType.TEXT)
    await owner_en.send_document("база.csv", data=CSV)
    [preview] = await owner_en.press("Preview")
    assert "Required fields with no column: Линейка" in preview.text
    assert "Rows without a required field: 3" in preview.text
    [preview] = await owner_en.press("Import with the field empty")
    assert "they are imported with the field empty" in preview.text
    assert "Rows that cannot be read: 0" in preview.text
    await owner_en.press("Skip them")
    await finished(app)
    assert "Created: 3" in owner_en.last_message().text
    ids = await clients(app)
    [card] = await owner_en.press_data(
        ClientCb(action=CardAction.OPEN, client_id=ids["Анна Смирнова"]).pack()
    )
    assert "⚠️ Required, not filled: Линейка (🧩 Fields)" in card.text
    assert "imported from база.csv · ⚠️ required, not filled: Линейка" in card.text


def _draft(values: tuple[int, ...] = (), deal: tuple[int, ...] | None = None) -> RowDraft:
    parsed = Parsed(text_value="x")
    draft = RowDraft(number=2, name="Ann", values=dict.fromkeys(values, parsed))
    if deal is not None:
        draft.deal_title = "Deal"
        draft.deal_values = dict.fromkeys(deal, parsed)
    return draft


REQUIRED = Required({1: "INN", 2: "Line"}, {7: "Budget"})


@pytest.mark.parametrize(
    ("draft", "lacking"),
    [
        (_draft((1, 2)), None),
        (_draft((2,)), "INN"),
        (_draft(()), "INN"),
        (_draft((1, 2), deal=()), "Budget"),  # a row making a deal needs the deal's too
        (_draft((1, 2), deal=(7,)), None),
        (_draft((1,), deal=(7,)), "Line"),
    ],
)
def test_which_required_field_a_row_lacks(draft: RowDraft, lacking: str | None) -> None:
    assert REQUIRED.lacking(draft) == lacking


@pytest.mark.parametrize(
    ("targets", "deals", "unmapped"),
    [
        (["name", "field_1", "field_2"], False, []),
        (["name", "field_1"], False, ["Line"]),
        (["name", "field_1"], True, ["Line", "Budget"]),
        (["name", "field_7"], True, ["INN", "Line"]),
    ],
)
def test_required_fields_with_no_column(
    targets: list[str], deals: bool, unmapped: list[str]
) -> None:
    assert REQUIRED.unmapped(targets, deals) == unmapped
