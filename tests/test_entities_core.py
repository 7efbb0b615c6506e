"""Custom fields, record types, records and links through the CRM core, on every backend."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import App
from crm.cards import CardKind, CardRef
from crm.client_filter import ClientFilter
from crm.errors import Conflict, InvalidInput, NotAllowed, NotFound
from crm.field_filters import FieldFilter
from crm.parsing.fields import FieldType
from crm.record_queries import RecordFilter
from crm.service import Crm
from storage.models import Event, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

T = FieldType
CLIENT, DEAL, RECORD = CardKind.CLIENT, CardKind.DEAL, CardKind.RECORD


async def actor(crm: Crm, user_id: int = OWNER_ID) -> User:
    found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def events_of(crm: Crm, kind: str) -> list[Event]:
    from sqlalchemy import select

    session = crm.fields._session
    return list(await session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


async def test_every_field_type_on_a_client_and_a_deal(app: App) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    texts = {
        T.TEXT: "ИНН 7701234567",
        T.LONG_TEXT: "Доставка\nпо вторникам",
        T.NUMBER: "12,5",
        T.MONEY: "150к",
        T.DATE: "31.12.2026",
        T.YES_NO: "да",
        T.CHOICE: "Опт",
        T.MULTI_CHOICE: "Опт, Розница",
        T.PHONE: "8 999 123-45-67",
        T.EMAIL: "Boss@Firm.ru",
        T.URL: "firm.ru",
    }
    expected = {
        T.TEXT: "ИНН 7701234567",
        T.LONG_TEXT: "Доставка\nпо вторникам",
        T.NUMBER: "12.5",
        T.MONEY: 15_000_000,
        T.DATE: "2026-12-31",
        T.YES_NO: True,
        T.CHOICE: "Опт",
        T.MULTI_CHOICE: ["Опт", "Розница"],
        T.PHONE: "+79991234567",
        T.EMAIL: "boss@firm.ru",
        T.URL: "https://firm.ru",
    }
    async with app.crm.open() as crm:
        owner = await actor(crm)
        deal = await crm.deals.create(owner, client.id, 100)
        for kind, card_id in ((CLIENT, client.id), (DEAL, deal.id)):
            ref = CardRef(kind, card_id)
            for type_ in FieldType:
                options = ["Опт", "Розница"] if type_ in (T.CHOICE, T.MULTI_CHOICE) else None
                field = await crm.fields.define(
                    owner, kind, f"Поле {type_.value}", type_, options=options
                )
                value = await crm.field_values.set(owner, ref, field.id, texts[type_])
                assert value == expected[type_], type_
            shown = await crm.field_values.of_card(owner, ref)
            assert [v.value for v in shown] == [expected[t] for t in FieldType]
        changed = await events_of(crm, "custom_field_changed")
    assert len(changed) == 22
    assert changed[0].client_id == client.id and changed[0].data["old"] is None
    assert changed[-1].deal_id == deal.id and changed[-1].client_id == client.id


async def test_bad_values_are_refused_with_the_reason_and_change_nothing(app: App) -> None:
    client = await make_client(app, OWNER_ID, "Anna")
    ref = CardRef(CLIENT, client.id)
    async with app.crm.open() as crm:
        owner = await actor(crm)
        number = await crm.fields.define(owner, CLIENT, "Сотрудники", T.NUMBER)
        day = await crm.fields.define(owner, CLIENT, "День рождения", T.DATE)
        kind = await crm.fields.define(owner, CLIENT, "Канал", T.CHOICE, options=["Опт"])
        await crm.field_values.set(owner, ref, number.id, "10")
        for field_id, text, reason in (
            (number.id, "10 человек", "not_a_number"),
            (day.id, "вчера", "not_a_date"),
            (kind.id, "Розница", "not_in_list"),
        ):
            with pytest.raises(InvalidInput) as error:
                await crm.field_values.set(owner, ref, field_id, text)
            assert error.value.code == "bad_field_value"
            assert error.value.params["reason"] == reason
        shown = {v.field.name: v.value for v in await crm.field_values.of_card(owner, ref)}
    assert shown == {"Сотрудники": "10", "День рождения": None, "Канал": None}


async def test_field_names_options_rename_and_delete(app: App) -> None:
    client = await make_client(app, OWNER_ID, "Oleg")
    other = await make_client(app, OWNER_ID, "Petr")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        for name, code in (
            ("Телефон", "field_name_built_in"),
            ("  ", "empty"),
            ("x" * 61, "too_long"),
        ):
            with pytest.raises(InvalidInput) as error:
                await crm.fields.define(owner, CLIENT, name, T.TEXT)
            assert error.value.code == code
        line = await crm.fields.define(owner, CLIENT, "Линейка", T.CHOICE, options=["Лёд", "Пар"])
        with pytest.raises(InvalidInput) as taken:
            await crm.fields.define(owner, CLIENT, "линейка", T.TEXT)
        assert taken.value.code == "field_name_taken"
        await crm.fields.define(owner, DEAL, "Линейка", T.TEXT)  # another kind of card: fine
        with pytest.raises(InvalidInput) as many:
            await crm.fields.define(
                owner, CLIENT, "Много", T.CHOICE, options=[f"o{i}" for i in range(101)]
            )
        assert many.value.code == "too_many_options"
        with pytest.raises(InvalidInput) as none:
            await crm.fields.define(owner, CLIENT, "Пусто", T.CHOICE, options=[])
        assert none.value.code == "no_options"

        await crm.field_values.set(owner, CardRef(CLIENT, client.id), line.id, "лед")
        await crm.field_values.set(owner, CardRef(CLIENT, other.id), line.id, "Пар")
        await crm.fields.rename(owner, line.id, "Продукт")
        await crm.fields.rename_option(owner, line.id, 1, "Лёд премиум")
        shown = await crm.field_values.of_card(owner, CardRef(CLIENT, client.id))
        assert [(v.field.name, v.value) for v in shown] == [("Продукт", "Лёд премиум")]

        assert await crm.fields.holders(line.id) == 2
        assert await crm.fields.delete(owner, line.id) == 2
        assert await crm.field_values.of_card(owner, CardRef(CLIENT, client.id)) == []
        history = await events_of(crm, "custom_field_changed")
    assert [e.data["new"] for e in history] == ["Лёд", "Пар"]  # the history stays


async def test_only_the_owner_shapes_fields(app: App, join: Joiner) -> None:
    await join(5101, "admin", "Adam")
    await join(5102, "manager", "Mila")
    async with app.crm.open() as crm:
        for user_id in (5101, 5102):
            with pytest.raises(NotAllowed):
                await crm.fields.define(await actor(crm, user_id), CLIENT, "X", T.TEXT)
            with pytest.raises(NotAllowed):
                await crm.record_types.create(await actor(crm, user_id), "Склад", "Склады")


async def test_fields_reorder_and_required(app: App) -> None:
    async with app.crm.open() as crm:
        owner = await actor(crm)
        a = await crm.fields.define(owner, CLIENT, "A", T.TEXT)
        b = await crm.fields.define(owner, CLIENT, "B", T.TEXT)
        c = await crm.fields.define(owner, CLIENT, "C", T.TEXT)
        order = await crm.fields.move(owner, c.id, -1)
        assert [f.name for f in order] == ["A", "C", "B"]
        await crm.fields.move(owner, a.id, -1)  # already first: stays
        assert [f.name for f in await crm.fields.of(CLIENT)] == ["A", "C", "B"]
        await crm.fields.set_required(owner, b.id, True)
    client = await make_client(app, OWNER_ID, "Req")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        ref = CardRef(CLIENT, client.id)
        await crm.field_values.set(owner, ref, b.id, "value")
        with pytest.raises(InvalidInput) as required:
            await crm.field_values.clear(owner, ref, b.id)
        assert required.value.code == "field_required"


async def test_lists_filter_by_custom_fields_and_search_finds_them(app: App) -> None:
    names = ["Alpha", "Beta", "Gamma"]
    clients = [await make_client(app, OWNER_ID, name) for name in names]
    async with app.crm.open() as crm:
        owner = await actor(crm)
        line = await crm.fields.define(owner, CLIENT, "Line", T.CHOICE, options=["Ice", "Steam"])
        budget = await crm.fields.define(owner, CLIENT, "Budget", T.MONEY)
        vip = await crm.fields.define(owner, CLIENT, "VIP", T.YES_NO)
        since = await crm.fields.define(owner, CLIENT, "Since", T.DATE)
        inn = await crm.fields.define(owner, CLIENT, "INN", T.TEXT)
        for client, (ln, money, yes, day, code) in zip(
            clients,
            [
                ("Ice", "100", "да", "01.01.2026", "7701"),
                ("Ice", "500", "нет", "01.06.2026", "7702"),
                ("Steam", "300", "да", "01.03.2026", "9903"),
            ],
            strict=True,
        ):
            ref = CardRef(CLIENT, client.id)
            for field, text in ((line, ln), (budget, money), (vip, yes), (since, day), (inn, code)):
                await crm.field_values.set(owner, ref, field.id, text)

        async def names_for(*items: FieldFilter) -> list[str]:
            page = await crm.client_queries.page(owner, ClientFilter(fields=items), 0, 50)
            return sorted(c.name for c in page.clients)

        assert await names_for(FieldFilter(line.id, option_ids=(1,))) == ["Alpha", "Beta"]
        assert await names_for(
            FieldFilter(line.id, option_ids=(1,)), FieldFilter(budget.id, low=20_000, high=60_000)
        ) == ["Beta"]
        assert await names_for(FieldFilter(vip.id, yes=True)) == ["Alpha", "Gamma"]
        assert await names_for(FieldFilter(since.id, low=date(2026, 2, 1))) == ["Beta", "Gamma"]
        found = await crm.client_queries.search(owner, "9903")
        assert [c.name for c in found] == ["Gamma"]
        # a later change of a built-in field keeps the custom values searchable
        await crm.client_edits.edit_text(owner, clients[2].id, "city", "Kazan")
        assert [c.name for c in await crm.client_queries.search(owner, "9903")] == ["Gamma"]
        assert [c.name for c in await crm.client_queries.search(owner, "kazan")] == ["Gamma"]


async def test_starter_types_records_and_links(app: App, join: Joiner) -> None:
    client = await make_client(app, OWNER_ID, "Roga i Kopyta")
    async with app.crm.open() as crm:
        owner = await actor(crm)
        assert [s.code for s in await crm.record_types.starters_offered()] == [
            "suppliers",
            "products",
            "documents",
            "logistics",
        ]
        products = await crm.record_types.take_starter(owner, "products")
        suppliers = await crm.record_types.take_starter(owner, "suppliers")
        await crm.record_types.take_starter(owner, "documents")
        await crm.record_types.skip_starter(owner, "logistics")
        assert await crm.record_types.starters_offered() == []
        with pytest.raises(Conflict):
            await crm.record_types.take_starter(owner, "products")
        assert (products.singular, products.plural) == ("Товар", "Товары")
        price = next(f for f in await crm.fields.of(RECORD, products.id) if f.type == "money")

        supplier = await crm.records.create(owner, suppliers.id, "Ледовый завод")
        ice = await crm.records.create(owner, products.id, "Лёд 1 кг", {price.id: "150"})
        steam = await crm.records.create(owner, products.id, "Пар", {price.id: "2 000"})
        with pytest.raises(InvalidInput) as bad:
            await crm.records.create(owner, products.id, "Сломанный", {price.id: "дорого"})
        assert bad.value.params["reason"] == "not_a_number"

        deal = await crm.deals.create(owner, client.id, 0)
        await crm.links.set_amount_follows_lines(owner, deal.id, True)
        deal_ref = CardRef(DEAL, deal.id)
        await crm.links.link(owner, deal_ref, CardRef(RECORD, ice.id), quantity_milli=3000)
        line = await crm.links.link(
            owner, CardRef(RECORD, steam.id), deal_ref, quantity_milli=500, price_minor=180_000
        )
        await crm.links.link(owner, CardRef(RECORD, supplier.id), CardRef(RECORD, ice.id))
        await crm.links.link(owner, CardRef(CLIENT, client.id), CardRef(RECORD, supplier.id))
        with pytest.raises(Conflict):
            await crm.links.link(owner, CardRef(RECORD, ice.id), deal_ref)
        lines, total = await crm.links.lines(owner, deal.id)
        assert [(v.title, v.line_total) for v in lines] == [("Лёд 1 кг", 45_000), ("Пар", 90_000)]
        assert total == 135_000
        assert (await crm.deals.visible(owner, deal.id)).amount_minor == 135_000
        await crm.links.set_line(owner, line.id, 1000, 180_000)
        assert (await crm.deals.visible(owner, deal.id)).amount_minor == 225_000
        await crm.links.unlink(owner, line.id)
        assert (await crm.deals.visible(owner, deal.id)).amount_minor == 45_000

        card = await crm.record_queries.card(owner, ice.id)
        assert sorted((v.other.kind.value, v.title) for v in card.links) == [
            ("deal", "Roga i Kopyta"),
            ("record", "Ледовый завод"),
        ]
        kinds = [e.kind for e in card.events]
        assert kinds.count("link_added") == 2 and "record_created" in kinds
        client_links = await crm.links.of_card(owner, CardRef(CLIENT, client.id))
        assert [(v.title, v.type_id) for v in client_links] == [("Ледовый завод", suppliers.id)]

        page = await crm.record_queries.page(
            owner, products.id, RecordFilter(fields=(FieldFilter(price.id, low=100_000),)), 0
        )
        assert [r.title for r in page.records] == ["Пар"]
        found = await crm.record_queries.page(owner, products.id, RecordFilter(search="лед"), 0)
        assert [r.title for r in found.records] == ["Лёд 1 кг"]

        number = await crm.fields.define(
            owner, RECORD, "Партия", T.TEXT, record_type_id=products.id, required=True
        )
        with pytest.raises(InvalidInput) as missing:
            await crm.records.create(owner, products.id, "Без партии")
        assert (missing.value.code, missing.value.params["name"]) == ("field_required", "Партия")
        await crm.fields.delete(owner, number.id)
        with pytest.raises(Conflict) as has:
            await crm.record_types.delete(owner, products.id)
        assert (has.value.code, has.value.params["count"]) == ("type_has_records", 2)
        await crm.record_types.set_archived(owner, products.id, True)
        assert products.id not in [t.id for t in await crm.record_types.all()]


async def test_managers_see_and_link_only_what_the_rules_allow(app: App, join: Joiner) -> None:
    await join(5201, "manager", "Mila")
    await join(5202, "manager", "Mark")
    milas = await make_client(app, 5201, "Mila's client")
    async with app.crm.open() as crm:
        owner, mila, mark = await actor(crm), await actor(crm, 5201), await actor(crm, 5202)
        docs = await crm.record_types.create(owner, "Документ", "Документы", "📄")
        contract = await crm.records.create(mila, docs.id, "Договор 1")
        secret = await crm.records.create(mark, docs.id, "Договор Марка")
        shared = await crm.records.create(owner, docs.id, "Общий")
        await crm.records.set_manager(owner, shared.id, None)

        seen = await crm.record_queries.page(mila, docs.id, RecordFilter(), 0)
        assert sorted(r.title for r in seen.records) == ["Договор 1", "Общий"]
        with pytest.raises(NotFound):
            await crm.record_queries.card(mila, secret.id)
        with pytest.raises(NotFound):  # a forged link to a card she cannot see
            await crm.links.link(mila, CardRef(CLIENT, milas.id), CardRef(RECORD, secret.id))
        await crm.links.link(mila, CardRef(CLIENT, milas.id), CardRef(RECORD, contract.id))
        await crm.links.link(owner, CardRef(CLIENT, milas.id), CardRef(RECORD, secret.id))
        mila_sees = await crm.links.of_card(mila, CardRef(CLIENT, milas.id))
        assert [v.title for v in mila_sees] == ["Договор 1"]
        with pytest.raises(NotFound):
            await crm.links.of_card(mark, CardRef(CLIENT, milas.id))
        with pytest.raises(NotAllowed):
            await crm.records.delete(mila, contract.id)
        await crm.records.set_archived(mila, contract.id, True)
        archived = await crm.record_queries.page(mila, docs.id, RecordFilter(archived=True), 0)
        assert [r.title for r in archived.records] == ["Договор 1"]
        await crm.records.set_archived(mila, contract.id, False)
        assert await crm.records.delete(owner, contract.id) == "Договор 1"
        assert await crm.links.of_card(owner, CardRef(CLIENT, milas.id)) != []
        left = await crm.links.of_card(owner, CardRef(CLIENT, milas.id))
        assert [v.title for v in left] == ["Договор Марка"]  # the deleted card's link went
        with pytest.raises(NotFound):
            await crm.links.link(owner, CardRef(CLIENT, milas.id), CardRef(RECORD, contract.id))


async def test_a_manager_cannot_change_another_managers_deal_lines(app: App, join: Joiner) -> None:
    """Lines set a deal's amount: only who may change the deal adds or removes one, even
    when every manager sees every deal; a plain link stays open to whoever sees both."""
    await join(5301, "manager", "Mila")
    await join(5302, "manager", "Mark")
    client = await make_client(app, 5301, "Mila's client")
    async with app.crm.open() as crm:
        owner, mila, mark = await actor(crm), await actor(crm, 5301), await actor(crm, 5302)
        await crm.settings.set_managers_see_all(owner, True)
        deal = await crm.deals.create(mila, client.id, 100_00, "Mila's deal")
        products = await crm.record_types.create(owner, "Товар", "Товары", "📦")
        ice = await crm.records.create(owner, products.id, "Лёд")
        await crm.records.set_manager(owner, ice.id, None)
        await crm.links.set_amount_follows_lines(mila, deal.id, True)
        deal_ref, ice_ref = CardRef(CardKind.DEAL, deal.id), CardRef(CardKind.RECORD, ice.id)
        with pytest.raises(NotAllowed):
            await crm.links.link(mark, deal_ref, ice_ref, quantity_milli=5000, price_minor=999_00)
        line = await crm.links.link(mila, deal_ref, ice_ref, quantity_milli=2000, price_minor=50_00)
        with pytest.raises(NotAllowed):
            await crm.links.unlink(mark, line.id)
        assert (await crm.deals.visible(owner, deal.id)).amount_minor == 100_00
        await crm.links.unlink(mila, line.id)
        document = await crm.records.create(owner, products.id, "Договор")
        await crm.records.set_manager(owner, document.id, None)
        await crm.links.link(mark, deal_ref, CardRef(CardKind.RECORD, document.id))


async def test_a_shared_cards_history_does_not_name_a_card_the_manager_cannot_open(
    app: App, join: Joiner
) -> None:
    from handlers.records.callbacks import Ent, EntCb

    mila_chat = await join(5401, "manager", "Mila", language_code="en")
    await join(5402, "manager", "Mark")
    secret = await make_client(app, 5402, "Mark's client Zorro")
    async with app.crm.open() as crm:
        owner, mark = await actor(crm), await actor(crm, 5402)
        products = await crm.record_types.create(owner, "Товар", "Товары", "📦")
        ice = await crm.records.create(owner, products.id, "Лёд")
        await crm.records.set_manager(owner, ice.id, None)  # shared: every manager sees it
        ice_ref = CardRef(CardKind.RECORD, ice.id)
        await crm.links.link(mark, ice_ref, CardRef(CardKind.CLIENT, secret.id))
        assert await crm.links.of_card(await actor(crm, 5401), ice_ref) == []  # the list hides it
    [card] = await mila_chat.press_data(EntCb(action=Ent.RECORD, kind="record", card=ice.id).pack())
    assert "Лёд" in card.text
    assert "Zorro" not in card.text and "linked: a card you cannot open" in card.text
    async with app.crm.open() as crm:  # masked for her reading only: the owner reads the name
        [shown] = (await crm.record_queries.card(await actor(crm), ice.id)).events[:1]
        assert shown.data["title"] == "Mark's client Zorro"
