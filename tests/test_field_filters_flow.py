"""Lists filtered by custom fields on screen: pick a list or yes/no field's value, type a
range for a number, money or date field; combined with the other filters, shown in the
header, cleared with a button; forged presses refused."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.cards import CardKind, CardRef
from crm.parsing.fields import FieldType
from handlers.clients.callbacks import ClientListCb, ListAction
from handlers.deals.callbacks import DealFieldsAction, DealFieldsCb, DealsAction, DealsCb
from handlers.records.callbacks import RecList, RecordListCb
from storage.models import FieldDef, User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner


async def owner_of(app: App) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


def listed(screen: SentMessage) -> list[str]:
    return sorted(
        text.split(" ", 1)[1].split(" · ")[0]
        for text, data, _url in screen.buttons
        if data and data.startswith("cl:open:")
    )


async def client_fields(app: App) -> dict[str, FieldDef]:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        made = {
            "Line": await crm.fields.define(
                me, CardKind.CLIENT, "Line", FieldType.CHOICE, options=["Ice", "Steam"]
            ),
            "Regular": await crm.fields.define(me, CardKind.CLIENT, "Regular", FieldType.YES_NO),
            "Budget": await crm.fields.define(me, CardKind.CLIENT, "Budget", FieldType.MONEY),
            "Since": await crm.fields.define(me, CardKind.CLIENT, "Since", FieldType.DATE),
            "Note": await crm.fields.define(me, CardKind.CLIENT, "Note", FieldType.TEXT),
        }
    return made


async def fill(app: App, client_id: int, fields: dict[str, FieldDef], **values: str) -> None:
    me = await owner_of(app)
    async with app.crm.open() as crm:
        for name, value in values.items():
            ref = CardRef(CardKind.CLIENT, client_id)
            await crm.field_values.set(me, ref, fields[name].id, value)


async def test_clients_filtered_by_custom_fields(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    owner = owner_en
    fields = await client_fields(app)
    anna = await make_client(app, OWNER_ID, "Anna", city="Москва")
    boris = await make_client(app, OWNER_ID, "Boris", city="Москва")
    vera = await make_client(app, OWNER_ID, "Vera", city="Казань")
    await make_client(app, OWNER_ID, "Gleb", city="Москва")
    await fill(app, anna.id, fields, Line="Ice", Regular="yes", Budget="20000", Since="05.03.2026")
    await fill(app, boris.id, fields, Line="Steam", Regular="no", Budget="70000")
    await fill(app, vera.id, fields, Line="Ice", Regular="yes", Budget="30000", Since="01.02.2026")

    await owner.send("/clients")
    await owner.press("Filters")
    [picker] = await owner.press("🧩 Fields")
    offered = [text for text, _d, _u in picker.buttons]
    assert offered[:4] == ["Line", "Regular", "Budget", "Since"]  # a text field cannot filter
    await owner.press("Line")
    [screen] = await owner.press("Ice")
    assert "Filters: Line: Ice" in screen.text
    assert listed(screen) == ["Anna", "Vera"]

    # combined with a built-in filter
    await owner.press("Filters")
    await owner.press("City")
    [screen] = await owner.press("Москва")
    assert "Filters: city Москва · Line: Ice" in screen.text
    assert listed(screen) == ["Anna"]
    await owner.press("Filters")
    await owner.press("City")
    [screen] = await owner.press("Any city")
    assert listed(screen) == ["Anna", "Vera"]

    # a money range, typed as people write it; a bad one is refused and stays asked
    await owner.press("Filters")
    await owner.press("🧩 Fields: 1")
    [prompt] = await owner.press("Budget")
    assert "from 10000 to 50000" in prompt.text and "от" not in prompt.text
    [refused] = await owner.send("a lot")
    assert refused.text == "Budget: That is not a number. Send digits, like 12 or 12.5."
    [refused] = await owner.send("> ")
    assert refused.text.startswith("Budget: Send a range")
    [screen] = await owner.send("от 25000 до 50000")
    assert "Line: Ice · Budget: 25,000\xa0₽–50,000\xa0₽" in screen.text
    assert listed(screen) == ["Vera"]

    # a date range replaces nothing else; yes/no too
    await owner.press("Filters")
    await owner.press("🧩 Fields: 2")
    await owner.press("Since")
    [screen] = await owner.send("01.03.2026-31.03.2026")
    assert listed(screen) == []
    assert "No clients match these filters." in screen.text
    await owner.press("Filters")
    await owner.press("🧩 Fields: 3")
    await owner.press("Since")
    [screen] = await owner.press("Any")
    assert listed(screen) == ["Vera"]

    # cleared with a button: the other filters stay
    await owner.press("Filters")
    await owner.press("🧩 Fields: 2")
    await owner.press("Regular")
    [screen] = await owner.press("no")
    assert "Regular: no" in screen.text and listed(screen) == []
    await owner.press("Filters")
    await owner.press("🧩 Fields: 3")
    [screen] = await owner.press("Clear field filters")
    assert listed(screen) == ["Anna", "Boris", "Gleb", "Vera"]
    assert "Filters:" not in screen.text

    # a field deleted meanwhile no longer filters; its press is stale
    await owner.press("Filters")
    await owner.press("🧩 Fields")
    await owner.press("Line")
    [screen] = await owner.press("Steam")
    assert listed(screen) == ["Boris"]
    async with app.crm.open() as crm:
        await crm.fields.delete(await owner_of(app), fields["Line"].id)
    [screen] = await owner.press("🔎 Filters")
    assert "Line" not in screen.text
    await owner.press_data(
        ClientListCb(action=ListAction.FIELD, code=f"{fields['Line'].id}.o1").pack()
    )
    assert owner.alerts()[-1] == "This button is no longer active."


async def test_forged_field_filter_presses_and_a_managers_view(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    fields = await client_fields(app)
    me = await owner_of(app)
    async with app.crm.open() as crm:
        deal_field = await crm.fields.define(
            me, CardKind.DEAL, "Product", FieldType.CHOICE, options=["Ice"]
        )
    manager = await join(5501, "manager", "Mila", language_code="en")
    own = await make_client(app, 5501, "Mila's client")
    other = await make_client(app, OWNER_ID, "Owner's client")
    for client in (own, other):
        await fill(app, client.id, fields, Regular="yes")
    await manager.send("/clients")
    await manager.press("Filters")
    await manager.press("🧩 Fields")
    await manager.press("Regular")
    [screen] = await manager.press("yes")
    assert listed(screen) == ["Mila's client"]  # the rules still decide what is seen
    for code in (
        f"{deal_field.id}.o1",  # a deal field on the client list
        f"{fields['Line'].id}.o99",  # an option that does not exist
        f"{fields['Budget'].id}.y",  # a yes on a money field
        "x.y",
        "99999999999.o1",
    ):
        await manager.press_data(ClientListCb(action=ListAction.FIELD, code=code).pack())
        assert manager.alerts()[-1] == "This button is no longer active.", code
    await manager.press_data(
        ClientListCb(action=ListAction.FIELD_RANGE, code=str(fields["Line"].id)).pack()
    )
    assert manager.alerts()[-1] == "This button is no longer active."


def deal_titles(screen: SentMessage) -> list[str]:
    return sorted(
        text.split(" · ")[0] for text, data, _url in screen.buttons if data and "dl:open" in data
    )


async def test_deals_filtered_by_custom_fields(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    owner = owner_en
    me = await owner_of(app)
    client = await make_client(app, OWNER_ID, "Roga")
    async with app.crm.open() as crm:
        product = await crm.fields.define(
            me, CardKind.DEAL, "Product", FieldType.CHOICE, options=["Ice", "Steam"]
        )
        volume = await crm.fields.define(me, CardKind.DEAL, "Volume", FieldType.NUMBER)
        await crm.fields.define(me, CardKind.DEAL, "Note", FieldType.TEXT)
        deals = {}
        for title, line, tons in (
            ("Cubes", "Ice", "5"),
            ("Blocks", "Ice", "50"),
            ("Sauna", "Steam", "7"),
        ):
            deal = await crm.deals.create(me, client.id, 0, title)
            ref = CardRef(CardKind.DEAL, deal.id)
            await crm.field_values.set(me, ref, product.id, line)
            await crm.field_values.set(me, ref, volume.id, tons)
            deals[title] = deal

    [overview] = await owner.send("/deals")
    assert "Open: 3" in overview.text
    [picker] = await owner.press("🧩 Fields")
    assert [text for text, _d, _u in picker.buttons][:2] == ["Product", "Volume"]
    await owner.press("Product")
    [overview] = await owner.press("Ice")
    assert "Fields: Product: Ice" in overview.text and "Open: 2" in overview.text
    # combined with the built-in filters, carried by every button
    [overview] = await owner.press("Only mine")
    assert "only my deals" in overview.text and "Fields: Product: Ice" in overview.text
    await owner.press("🧩 Fields: 1")
    [prompt] = await owner.press("Volume")
    assert "from 10000 to 50000" in prompt.text and "от" not in prompt.text
    [refused] = await owner.send("heaps")
    assert refused.text == "Volume: That is not a number. Send digits, like 12 or 12.5."
    [overview] = await owner.send("< 10")
    assert "Fields: Product: Ice · Volume: less than 10" in overview.text  # not "up to"
    assert "Open: 1" in overview.text
    [stage] = await owner.press("New lead")
    assert deal_titles(stage) == ["Cubes"]
    assert "Fields: Product: Ice · Volume: less than 10" in stage.text
    [overview] = await owner.press("Back to the overview")
    await owner.press("🧩 Fields: 2")
    [overview] = await owner.press("Clear field filters")
    assert "Fields:" not in overview.text and "Open: 3" in overview.text
    assert "only my deals" in overview.text

    # forged: a client field, a text field, an option that is not there
    async with app.crm.open() as crm:
        client_field = await crm.fields.define(me, CardKind.CLIENT, "Tier", FieldType.YES_NO)
    for data in (
        DealFieldsCb(action=DealFieldsAction.FIELD, field_id=client_field.id).pack(),
        DealFieldsCb(action=DealFieldsAction.RANGE, field_id=product.id).pack(),
        DealFieldsCb(action=DealFieldsAction.FIELD, field_id=volume.id).pack(),
    ):
        await owner.press_data(data)
        assert owner.alerts()[-1] == "This button is no longer active.", data
    [overview] = await owner.press_data(
        DealsCb(action=DealsAction.SHOW, f=f"|{product.id}o99,{client_field.id}y,zz").pack()
    )
    # an option not there is dropped as a field not there is (test_field_filter_option_removed)
    assert "Fields:" not in overview.text and "Open: 3" in overview.text
    [overview] = await owner.press_data(
        DealsCb(action=DealsAction.SHOW, f=f"|{client_field.id}y").pack()
    )
    assert "Fields:" not in overview.text and "Open: 3" in overview.text


def first(screen: SentMessage) -> str:
    return screen.buttons[0][0]


async def test_record_lists_filtered_by_their_fields(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    owner = owner_en
    me = await owner_of(app)
    async with app.crm.open() as crm:
        products = await crm.record_types.take_starter(me, "products")
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        price = next(
            f for f in await crm.fields.of(CardKind.RECORD, products.id) if f.type == "money"
        )
        kind = await crm.fields.define(
            me,
            CardKind.RECORD,
            "Kind",
            FieldType.CHOICE,
            record_type_id=products.id,
            options=["Frozen", "Hot"],
        )
        other = await crm.fields.define(
            me, CardKind.RECORD, "Rating", FieldType.YES_NO, record_type_id=suppliers.id
        )
        for title, cost, sort in (
            ("Ice", "150", "Frozen"),
            ("Steam", "2000", "Hot"),
            ("Snow", "90", "Frozen"),
        ):
            record = await crm.records.create(
                me, products.id, title, {price.id: cost, kind.id: sort}
            )
        await crm.records.set_archived(me, record.id, True)  # Snow is in the archive

    await owner.send("/records")
    await owner.press("Products")
    await owner.press("🧩 Fields")
    await owner.press("Kind")
    [listing] = await owner.press("Frozen")
    assert "Fields: Kind: Frozen" in listing.text and "Found: 1" in listing.text
    assert first(listing) == "Ice"
    [listing] = await owner.press("🗄 Archived")  # the archive keeps the filter
    assert "Fields: Kind: Frozen" in listing.text and first(listing) == "Snow"
    [listing] = await owner.press("📋 Current")
    await owner.press("🧩 Fields: 1")
    [prompt] = await owner.press("Price")
    assert "from 10000 to 50000" in prompt.text and "от" not in prompt.text
    [refused] = await owner.send("cheap")
    assert refused.text.startswith("Price: ")
    [listing] = await owner.send("> 1000")
    assert "Found: 0" in listing.text  # Frozen and over 1,000
    await owner.press("🧩 Fields: 2")
    await owner.press("Kind")
    [listing] = await owner.press("Any")
    assert "Found: 1" in listing.text and first(listing) == "Steam"
    [listing] = await owner.press("Clear field filters")
    assert "Found: 2" in listing.text and "Fields:" not in listing.text

    # forged: a field of another type, a text field, a range asked of a list field
    for action, field_id in (
        (RecList.FIELD, other.id),
        (RecList.RANGE, kind.id),
        (RecList.FIELD, price.id),
    ):
        await owner.press_data(
            RecordListCb(action=action, type_id=products.id, field_id=field_id).pack()
        )
        assert owner.alerts()[-1] == "This button is no longer active.", action
    [listing] = await owner.press_data(
        RecordListCb(action=RecList.SHOW, type_id=products.id, f=f"{other.id}y,zz").pack()
    )
    assert "Found: 2" in listing.text and "Fields:" not in listing.text


async def test_field_filters_speak_russian(app: App, owner: SimulatedUser) -> None:
    fields = await client_fields(app)
    anna = await make_client(app, OWNER_ID, "Анна")
    await make_client(app, OWNER_ID, "Борис")
    await fill(app, anna.id, fields, Budget="20000")
    await owner.send("/clients")
    await owner.press("Фильтры")
    [picker] = await owner.press("🧩 Поля")
    assert picker.text == "Фильтр клиентов по полю:"
    [prompt] = await owner.press("Budget")
    assert prompt.text.startswith("Пришлите диапазон для «Budget»")
    [refused] = await owner.send("много")
    assert refused.text.startswith("Budget: ")
    [screen] = await owner.send("до 30к")
    assert "Фильтры: Budget: до 30" in screen.text
    assert listed(screen) == ["Анна"]
    await owner.press("Фильтры")
    [menu] = await owner.press("🧩 Поля: 1")
    assert "✅ Budget: до 30" in menu.buttons[2][0]


async def test_a_long_list_is_typed_not_pressed(app: App, owner_en: SimulatedUser) -> None:
    """Telegram keeps 100 buttons a message: a field of 100 options is filtered by typing."""
    me = await owner_of(app)
    names = [f"City {n:03d}" for n in range(1, 101)]
    async with app.crm.open() as crm:
        field = await crm.fields.define(
            me, CardKind.CLIENT, "Office", FieldType.CHOICE, options=names
        )
    far = await make_client(app, OWNER_ID, "Far")
    await make_client(app, OWNER_ID, "Near")
    await fill(app, far.id, {"Office": field}, Office="City 077")
    await owner_en.send("/clients")
    await owner_en.press("Filters")
    await owner_en.press("🧩 Fields")
    [prompt] = await owner_en.press("Office")
    assert prompt.text.startswith(
        "Send the option of “Office”, its name or its number: 1. City 001"
    )
    assert len(prompt.buttons) < 100 and len(prompt.text) < 4096
    [refused] = await owner_en.send("City 999")
    assert refused.text == "Office: That is not one of the options."
    [screen] = await owner_en.send("77")
    assert "Filters: Office: City 077" in screen.text and listed(screen) == ["Far"]


async def test_a_number_range_reads_as_people_write_it(app: App, owner: SimulatedUser) -> None:
    """A number field's bound was shown as Python's float: "от 1e+06", "до 2.5". It reads
    "от 1 000 000" and "до 2,5" in Russian, "from 1 000 000" (narrow spaces) and "up to 2.5"
    in English."""
    me = await owner_of(app)
    async with app.crm.open() as crm:
        turnover = await crm.fields.define(me, CardKind.CLIENT, "Оборот", FieldType.NUMBER)
        products = await crm.record_types.take_starter(me, "products")
        weight = await crm.fields.define(
            me, CardKind.RECORD, "Weight", FieldType.NUMBER, record_type_id=products.id
        )
        for title, kilos in (("Ice", "2,5"), ("Steam", "0,4")):
            await crm.records.create(me, products.id, title, {weight.id: kilos})
    anna = await make_client(app, OWNER_ID, "Анна")
    boris = await make_client(app, OWNER_ID, "Борис")
    await fill(app, anna.id, {"Оборот": turnover}, Оборот="2500000")
    await fill(app, boris.id, {"Оборот": turnover}, Оборот="999999,5")

    await owner.send("/clients")
    await owner.press("Фильтры")
    await owner.press("🧩 Поля")
    await owner.press("Оборот")
    [screen] = await owner.send("от 1000000")
    assert "Фильтры: Оборот: от 1\xa0000\xa0000" in screen.text
    assert "e+" not in screen.text and listed(screen) == ["Анна"]
    await owner.press("Фильтры")
    [menu] = await owner.press("🧩 Поля: 1")
    assert "✅ Оборот: от 1\xa0000\xa0000" in [text for text, _d, _u in menu.buttons]
    await owner.press("Оборот")
    [screen] = await owner.send("999 999,5 - 2 500 000")
    assert "Оборот: 999\xa0999,5–2\xa0500\xa0000" in screen.text
    assert listed(screen) == ["Анна", "Борис"]

    # a record list, in English: the same bounds, the English way
    async with app.crm.open() as crm:
        await crm.members.set_language(me, "en")
    english = owner  # the same owner, reading English now
    await english.send("/records")
    await english.press("Товары")  # the type was named in Russian, when it was made
    await english.press("🧩 Fields")
    await english.press("Weight")
    [listing] = await english.send("to 2,5")
    assert "Fields: Weight: up to 2.5" in listing.text and "Found: 2" in listing.text
    await english.press("🧩 Fields: 1")
    await english.press("Weight")
    [listing] = await english.send("from 1000000")
    assert "Fields: Weight: from 1\u202f000\u202f000" in listing.text and "Found: 0" in listing.text


async def test_a_money_range_with_the_word_once_reads_both_ends(
    app: App, owner: SimulatedUser
) -> None:
    """ "10-20 тыс" filtered from 10 ₽ to 20 000 ₽ (and "от 1 до 2 млн" from 1 ₽): the bare
    first sum takes the word of the second, as it is said."""
    fields = await client_fields(app)
    anna = await make_client(app, OWNER_ID, "Анна")
    boris = await make_client(app, OWNER_ID, "Борис")
    vera = await make_client(app, OWNER_ID, "Вера")
    await fill(app, anna.id, fields, Budget="15000")
    await fill(app, boris.id, fields, Budget="500")
    await fill(app, vera.id, fields, Budget="1,5 млн")
    await owner.send("/clients")
    await owner.press("Фильтры")
    await owner.press("🧩 Поля")
    await owner.press("Budget")
    [screen] = await owner.send("10-20 тыс")
    assert listed(screen) == ["Анна"]
    await owner.press("Фильтры")
    await owner.press("🧩 Поля: 1")
    await owner.press("Budget")
    [screen] = await owner.send("от 1 до 2 млн")
    assert listed(screen) == ["Вера"]
