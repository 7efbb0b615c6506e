"""Required custom fields are asked for when a client or a deal is created, in the same
dialog, checked with a clear answer, and recognised in the one-line quick add where they
can be; a card is never created without them through the dialog."""

from __future__ import annotations

from aiogram.types import User as TgUser

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.client_filter import ClientFilter
from crm.parsing.fields import FieldType
from handlers.clients.callbacks import ClientCb
from storage.models import FieldDef, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID


async def owner_of(app: App) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def required(app: App, kind: CardKind, name: str, type_: FieldType, **kw: object) -> FieldDef:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        field = await crm.fields.define(me, kind, name, type_, **kw)  # type: ignore[arg-type]
        return await crm.fields.set_required(me, field.id, True)


async def values_of(app: App, kind: CardKind, card_id: int) -> dict[str, object]:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        shown = await crm.field_values.of_card(me, CardRef(kind, card_id))
    return {v.field.name: v.value for v in shown if v.value is not None}


async def client_names(app: App) -> list[str]:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        page = await crm.client_queries.page(me, ClientFilter(), 0, 50)
    return sorted(c.name for c in page.clients)


async def test_the_new_client_dialog_asks_the_required_fields(
    app: App, owner_en: SimulatedUser
) -> None:
    owner = owner_en
    await required(app, CardKind.CLIENT, "INN", FieldType.TEXT)
    await required(app, CardKind.CLIENT, "Line", FieldType.CHOICE, options=["Ice", "Steam"])
    await required(app, CardKind.CLIENT, "Site", FieldType.URL)
    me = await owner_of(app)
    async with app.crm.open() as crm:  # an optional one is not asked
        await crm.fields.define(me, CardKind.CLIENT, "Note", FieldType.TEXT)

    await owner.send("/new")
    await owner.send("Roga i Kopyta")
    for _step in range(8):  # phone, email, company, city (and whatever steps come later)
        if owner.last_message().text.startswith("“INN”"):
            break
        await owner.press("Skip")
    question = owner.last_message()
    assert question.text == "“INN” is required (text): send it."
    [question] = await owner.send("7701234567")
    assert question.text.startswith("“Line” is required (one of a list): send it.")
    assert "1. Ice\n2. Steam" in question.text
    [refused] = await owner.send("Water")
    assert refused.text == "Line: That is not one of the options."
    assert await client_names(app) == []  # nothing is created while a field is missing
    [question] = await owner.send("2")
    assert question.text == "“Site” is required (link): send it."
    [refused] = await owner.send("not a site")
    assert refused.text == "Site: That is not a link. Send it like example.com."
    [card] = await owner.send("firm.ru")
    assert "Roga i Kopyta" in card.text
    [client_id] = [
        int(data.split(":")[2]) for _t, data, _u in card.buttons if data and data.startswith("cl:")
    ][:1]
    assert await values_of(app, CardKind.CLIENT, client_id) == {
        "INN": "7701234567",
        "Line": "Steam",
        "Site": "https://firm.ru",
    }

    # /cancel in the middle: nothing is created
    await owner.send("/new Vera Kim")
    assert owner.last_message().text == "“INN” is required (text): send it."
    await owner.send("/cancel")
    assert await client_names(app) == ["Roga i Kopyta"]


async def test_quick_add_recognises_link_email_and_phone_fields(
    app: App, owner_en: SimulatedUser
) -> None:
    owner = owner_en
    await required(app, CardKind.CLIENT, "Site", FieldType.URL)
    await required(app, CardKind.CLIENT, "Invoices to", FieldType.EMAIL)
    await required(app, CardKind.CLIENT, "Accountant", FieldType.PHONE)
    await required(app, CardKind.CLIENT, "INN", FieldType.TEXT)
    [question] = await owner.send(
        "/new Ivan Petrov +7 999 123-45-67 +7 999 765-43-21 ivan@firm.ru buh@firm.ru "
        "https://firm.ru/price ООО Лёд"
    )
    assert question.text == "“INN” is required (text): send it."  # the rest was recognised
    [card] = await owner.send("7701234567")
    assert "Ivan Petrov" in card.text
    me = await owner_of(app)
    async with app.crm.open() as crm:
        page = await crm.client_queries.page(me, ClientFilter(), 0, 5)
        [client] = page.clients
        contacts = (await crm.client_queries.card(me, client.id)).contacts
    assert client.company == "ООО Лёд"
    assert list(contacts.phones) == ["+79991234567"]
    assert list(contacts.emails) == ["ivan@firm.ru"]
    assert await values_of(app, CardKind.CLIENT, client.id) == {
        "Site": "https://firm.ru/price",
        "Invoices to": "buh@firm.ru",
        "Accountant": "+79997654321",
        "INN": "7701234567",
    }


async def test_the_new_deal_dialog_asks_the_required_fields(
    app: App, owner_en: SimulatedUser
) -> None:
    owner = owner_en
    contract = await required(app, CardKind.DEAL, "Contract no", FieldType.TEXT)
    await required(app, CardKind.DEAL, "Signed", FieldType.DATE)
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner.press("New deal")
    await owner.send("150 000")
    [question] = await owner.send("Ice supply")
    assert question.text == "“Contract no” is required (text): send it."
    [question] = await owner.send("D-17")
    assert question.text == "“Signed” is required (date): send it."
    [refused] = await owner.send("yesterday-ish")
    assert (
        refused.text == "Signed: That is not a date. Send it like 31.12.2026 or 31 December 2026."
    )
    [refused] = await owner.send("01.01.0000")  # was taken as 01.01.2000
    assert (
        refused.text
        == "Signed: That year is not valid. Send the date like 31.12.2026 or 31 December 2026."
    )
    me = await owner_of(app)
    async with app.crm.open() as crm:
        assert await crm.deal_queries.of_client(me, client.id) == []
        # made optional meanwhile: the dialog does not insist, the value typed is kept
        field = next(f for f in await crm.fields.of(CardKind.DEAL) if f.name == "Signed")
        await crm.fields.set_required(me, field.id, False)
    [card] = await owner.send("01.03.2026")
    assert card.text.startswith("💼 Ice supply")
    async with app.crm.open() as crm:
        [(deal, _stage)] = await crm.deal_queries.of_client(me, client.id)
    assert await values_of(app, CardKind.DEAL, deal.id) == {"Contract no": "D-17"}
    assert contract.required


async def test_a_forwarded_message_asks_the_required_fields_first(
    app: App, owner_en: SimulatedUser
) -> None:
    await required(app, CardKind.CLIENT, "INN", FieldType.TEXT)
    sender = TgUser(id=555, is_bot=False, first_name="Maria", last_name="Ivanova")
    [prompt] = await owner_en.forward("Hi! I need 20 chairs", sender=sender)
    [question] = await owner_en.press("New client", prompt)
    assert question.text == "“INN” is required (text): send it."
    assert await client_names(app) == []
    [card] = await owner_en.send("7701234567")
    assert card.text.startswith("👤 Maria Ivanova\n")
    assert "Hi! I need 20 chairs" in card.text  # the text is the first comment
    me = await owner_of(app)
    async with app.crm.open() as crm:
        [client] = (await crm.client_queries.page(me, ClientFilter(), 0, 5)).clients
    assert await values_of(app, CardKind.CLIENT, client.id) == {"INN": "7701234567"}


async def test_a_long_list_field_question_fits_a_message(app: App, owner_en: SimulatedUser) -> None:
    options = [f"{n:03d} " + "x" * 56 for n in range(1, 101)]  # 100 options of 60 characters
    await required(app, CardKind.CLIENT, "Office", FieldType.CHOICE, options=options)
    [question] = await owner_en.send("/new Ivan Petrov")
    assert question.text.startswith("“Office” is required (one of a list): send it.")
    assert len(question.text) < 4096 and question.text.endswith("…")
    [card] = await owner_en.send("100")  # the hundredth, by its number
    assert "Ivan Petrov" in card.text


async def test_a_date_or_a_number_is_no_link(app: App, owner_en: SimulatedUser) -> None:
    """A date typed into a link field ("31.12.2026") was kept as https://31.12.2026: a host
    whose last part is digits is no site, unless the host is an IPv4 address."""
    owner = owner_en
    await required(app, CardKind.CLIENT, "Site", FieldType.URL)
    [question] = await owner.send("/new Roga i Kopyta")
    assert question.text == "“Site” is required (link): send it."
    for typed in ("31.12.2026", "0.0001", "00.00.0000"):
        [refused] = await owner.send(typed)
        assert refused.text == "Site: That is not a link. Send it like example.com.", typed
    assert await client_names(app) == []
    [card] = await owner.send("10.0.0.7/crm")
    assert "Roga i Kopyta" in card.text


async def test_a_date_refused_in_russian_offers_the_month_name_it_takes(
    app: App, owner: SimulatedUser
) -> None:
    """The refusal names both forms a date field takes, and the one with the month's name
    (since 7ec7a4d) is taken as it says."""
    await required(app, CardKind.DEAL, "Подписан", FieldType.DATE)
    client = await make_client(app, OWNER_ID, "Анна")
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner.press("Новая сделка")
    await owner.send("150 000")
    await owner.send("Поставка льда")
    [refused] = await owner.send("на днях")
    assert refused.text == "Подписан: Это не дата. Пришлите её так: 31.12.2026 или 31 декабря 2026."
    [refused] = await owner.send("01.01.0000")
    assert refused.text == (
        "Подписан: Год указан неверно. Пришлите дату так: 31.12.2026 или 31 декабря 2026."
    )
    [card] = await owner.send("31 декабря 2026")
    assert card.text.startswith("💼 Поставка льда")
    me = await owner_of(app)
    async with app.crm.open() as crm:
        [(deal, _stage)] = await crm.deal_queries.of_client(me, client.id)
    assert await values_of(app, CardKind.DEAL, deal.id) == {"Подписан": "2026-12-31"}


async def test_a_deal_made_on_the_open_card_after_its_required_fields_can_be_taken_back(
    app: App, owner_en: SimulatedUser
) -> None:
    """/deal 50000 Supply on an open card offers "✂️ Not for …: take it back"; when the
    deal's required fields were asked first, the deal made after them lacked the button."""
    contract = await required(app, CardKind.DEAL, "Contract no", FieldType.TEXT)
    client = await make_client(app, OWNER_ID, "Anna Lee")
    await owner_en.press_data(ClientCb(action="open", client_id=client.id).pack())
    [question] = await owner_en.send("/deal 50000 Supply")
    assert question.text == "“Contract no” is required (text): send it."
    [card] = await owner_en.send("D-17")
    assert card.text.startswith("💼 Supply\nClient: Anna Lee")
    [told] = await owner_en.press("✂️ Not for Anna Lee: take it back", card)
    assert told.text.startswith("The deal “Supply” is taken back.")
    me = await owner_of(app)
    async with app.crm.open() as crm:
        assert await crm.deal_queries.of_client(me, client.id) == []

    # Its value changed afterwards, the deal has moved on: not taken back.
    await owner_en.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner_en.send("/deal 70000 Mounting")
    [card] = await owner_en.send("D-18")
    async with app.crm.open() as crm:
        [(deal, _stage)] = await crm.deal_queries.of_client(me, client.id)
        await crm.field_values.set(me, CardRef(CardKind.DEAL, deal.id), contract.id, "D-19")
    await owner_en.press("✂️ Not for Anna Lee: take it back", card)
    assert owner_en.alert is not None
    assert owner_en.alert.startswith("This deal can no longer be taken back")
