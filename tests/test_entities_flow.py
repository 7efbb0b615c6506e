"""Custom fields, record types, records and links through the Dispatcher, as people use them."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.record_queries import RecordFilter
from handlers.clients.callbacks import ClientCb
from handlers.deals.callbacks import DealCb
from handlers.records.callbacks import Ent, EntCb
from storage.models import User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner

TYPES = (
    ("Note", "text", "Loves tea"),
    ("History", "long text", "Met at a fair\nwants samples"),
    ("Staff", "number", "12"),
    ("Budget", "money", "150k"),
    ("Birthday", "date", "31.12.1980"),
    ("Regular", "yes/no", "yes"),
    ("Line", "one of a list", "Ice"),
    ("Interests", "several of a list", "Ice, Steam"),
    ("Accountant", "phone", "+7 999 123-45-67"),
    ("Invoices to", "email", "Buh@Firm.ru"),
    ("Site", "link", "firm.ru"),
)


async def member(app: App, user_id: int = OWNER_ID) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(user_id)
    assert found is not None
    return found


async def add_field(owner: SimulatedUser, whose: str, name: str, type_label: str) -> None:
    await owner.send("/settings")
    await owner.press("Fields and record types")
    await owner.press(whose)
    await owner.press("Add a field")
    [types] = await owner.send(name)
    [button] = [text for text, _d, _u in types.buttons if text == type_label]
    await owner.press(button, types)
    if "list" in type_label:
        await owner.send("Ice\nSteam\nWater")
    assert name in owner.last_message().text


async def test_owner_shapes_fields_records_and_links(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    owner = owner_en
    for name, type_label, _value in TYPES:
        await add_field(owner, "Client fields", name, type_label)
    await add_field(owner, "Deal fields", "Contract no", "text")
    client = await make_client(app, OWNER_ID, "Roga i Kopyta")
    async with app.crm.open() as crm:
        deal = await crm.deals.create(await member(app), client.id, 0, "Ice supply")

    # fill every field on the client with the buttons, one bad value on the way
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner.press("🧩 Fields")
    await owner.press("✏️ Staff")
    [refused] = await owner.send("a dozen")
    assert "not a number" in refused.text
    await owner.send("12")  # the question stays open until a good answer
    for name, _type, value in TYPES:
        await owner.press(f"✏️ {name}")
        await owner.send(value)
    fields = owner.last_message().text
    for shown in (
        "Note: Loves tea",
        "Staff: 12",
        "Budget: 150",
        "Birthday: 31.12.1980",
        "Regular: yes",
        "Line: Ice",
        "Interests: Ice, Steam",
        "Accountant: +79991234567",
        "Invoices to: buh@firm.ru",
        "Site: https://firm.ru",
    ):
        assert shown in fields, shown
    # and the deal's field
    await owner.press_data(DealCb(action="open", deal_id=deal.id).pack())
    await owner.press("🧩 Fields")
    await owner.press("✏️ Contract no")
    [deal_fields] = await owner.send("D-17")
    assert "Contract no: D-17" in deal_fields.text

    # the starter types, a supplier, two products and a contract
    await owner.send("/records")
    for starter in ("➕ 🏭 Suppliers", "➕ 📦 Products", "➕ 📄 Documents"):
        await owner.press(starter)
    await owner.press("Skip")
    assert "Logistics" not in owner.last_message().text
    [help_text] = await owner.send("/help")
    assert "Your records (/records): 🏭 Suppliers, 📦 Products, 📄 Documents" in help_text.text
    made = {}
    for kind, title in (
        ("Suppliers", "IceWorks"),
        ("Products", "Ice 1 kg"),
        ("Products", "Steam"),
        ("Documents", "Contract 1"),
    ):
        await owner.send("/records")
        await owner.press(kind)
        await owner.press("➕ New")
        [card] = await owner.send(title)
        assert title in card.text
        made[title] = card
    for title, price in (("Steam", "2000"), ("Ice 1 kg", "150")):
        [screen] = await owner.press("🧩 Fields", made[title])
        await owner.press("✏️ Price", screen)
        await owner.send(price)

    # the deal gets two products with quantities, and its amount follows them
    await owner.press_data(EntCb(action=Ent.LINKS, kind="deal", card=deal.id).pack())
    await owner.press("🧮 Amount follows lines: off")
    for product, quantity in (("Ice", "3"), ("Steam", "0.5")):
        await owner.press("🔗 Link")
        await owner.press("📦 Products")
        await owner.send(product.lower())
        await owner.press(product)
        await owner.send(quantity)
    links = owner.last_message().text
    assert "Ice 1 kg — 3 × 150" in links and "Steam — 0.5 × 2,000" in links
    assert "Lines total: 1,450" in links
    async with app.crm.open() as crm:
        assert (await crm.deals.visible(await member(app), deal.id)).amount_minor == 145_000

    # the client is linked to the contract; both cards show the link and open each other
    await owner.press_data(EntCb(action=Ent.LINKS, kind="client", card=client.id).pack())
    await owner.press("🔗 Link")
    await owner.press("📄 Documents")
    await owner.send("contract")
    [client_links] = await owner.press("Contract 1")
    assert "Documents" in client_links.text and "Contract 1" in client_links.text
    [record_card] = await owner.press("📄 Contract 1")
    assert "🔗 Clients: 👤 Roga i Kopyta" in record_card.text
    await owner.press("🔗 Links", record_card)
    [back] = await owner.press("👤 Roga i Kopyta")
    assert "🔗 Documents: 📄 Contract 1" in back.text and "Note: Loves tea" in back.text
    [deal_card] = await owner.press_data(DealCb(action="open", deal_id=deal.id).pack())
    assert (
        "Amount: 1,450" in deal_card.text and "🔗 Products: 📦 Ice 1 kg, 📦 Steam" in deal_card.text
    )

    # a manager sees only what the rules allow; forged presses are refused
    manager = await join(5301, "manager", "Mila", language_code="en")
    async with app.crm.open() as crm:
        contract_id = next(
            r.id
            for r in (
                await crm.record_queries.page(
                    await member(app),
                    next(t.id for t in await crm.record_types.all() if t.starter == "documents"),
                    RecordFilter(),
                    0,
                )
            ).records
        )
    own = await make_client(app, 5301, "Mila's client")
    await manager.send("/records")
    await manager.press_data(
        EntCb(action=Ent.LINK_PICK, kind="client", card=own.id, type_id=3, item=contract_id).pack()
    )
    await manager.press_data(EntCb(action=Ent.SETTINGS).pack())
    await manager.press_data(EntCb(action=Ent.FIELDS, kind="client", card=client.id).pack())
    alerts = manager.alerts()[-3:]
    assert alerts == [
        "This record no longer exists.",
        "You don't have access to this.",
        "This record no longer exists.",
    ]
    async with app.crm.open() as crm:
        mila = await member(app, 5301)
        assert await crm.links.of_card(mila, crm_ref(own.id)) == []


def crm_ref(client_id: int) -> CardRef:
    return CardRef(CardKind.CLIENT, client_id)


async def deal_with_products(app: App, *names: str) -> int:
    """A deal, and unpriced products ``names`` to put on it."""
    client = await make_client(app, OWNER_ID, "Client")
    async with app.crm.open() as crm:
        me = await member(app)
        deal = await crm.deals.create(me, client.id, 0, "Deal")
        products = await crm.record_types.take_starter(me, "products")
        for name in names:
            await crm.records.create(me, products.id, name)
    return deal.id


async def ask_quantity(owner: SimulatedUser, deal_id: int, name: str) -> str:
    """The deal's product ``name`` picked to link: its quantity asked; the data of the
    question's "Link without a quantity"."""
    await owner.press_data(EntCb(action=Ent.LINKS, kind="deal", card=deal_id).pack())
    await owner.press("🔗 Link")
    await owner.press("📦 Products")
    await owner.send(name.lower())
    [question] = await owner.press(name)
    return next(d for t, d, _u in question.buttons if t == "Link without a quantity" and d)


async def test_a_deal_links_a_product_without_a_quantity(app: App, owner_en: SimulatedUser) -> None:
    owner = owner_en
    deal_id = await deal_with_products(app, "Salt")
    await ask_quantity(owner, deal_id, "Salt")
    [links] = await owner.press("Link without a quantity")
    assert "📦 Salt" in links.text and "×" not in links.text
    # the same button pressed again, out of its dialog, is refused
    await owner.press_data(EntCb(action=Ent.LINK_PICK, kind="deal", card=deal_id).pack())
    assert owner.alerts()[-1] == "This button is no longer active."


async def test_an_older_link_without_a_quantity_is_refused(
    app: App, owner_en: SimulatedUser
) -> None:
    """Salt's quantity asked, then Ice's: Salt's "Link without a quantity" linked Ice (the
    pair asked now). It is refused, and Ice's question stays open."""
    owner = owner_en
    deal_id = await deal_with_products(app, "Salt", "Ice")
    salts = await ask_quantity(owner, deal_id, "Salt")
    ices = await ask_quantity(owner, deal_id, "Ice")
    await owner.press_data(salts)
    assert owner.alerts()[-1] == "This button is no longer active."
    [linked] = await owner.send("2")
    assert "📦 Ice" in linked.text and "Salt" not in linked.text
    async with app.crm.open() as crm:
        lines = await crm.links.of_card(await member(app), CardRef(CardKind.DEAL, deal_id))
    assert [(line.title, line.quantity_milli) for line in lines] == [("Ice", 2000)]
    await owner.press_data(ices)  # its question answered: refused too
    assert owner.alerts()[-1] == "This button is no longer active."


async def deal_with_priced_products(app: App) -> int:
    """A deal, and products "Соль" at 150 and "Лёд" at 2 000 to put on it."""
    client = await make_client(app, OWNER_ID, "Клиент")
    async with app.crm.open() as crm:
        me = await member(app)
        deal = await crm.deals.create(me, client.id, 0, "Поставка")
        products = await crm.record_types.take_starter(me, "products")
        price = next(
            f for f in await crm.fields.of(CardKind.RECORD, products.id) if f.type == "money"
        )
        await crm.records.create(me, products.id, "Соль", {price.id: "150"})
        await crm.records.create(me, products.id, "Лёд", {price.id: "2000"})
    return deal.id


async def put_line(owner: SimulatedUser, link: str, products: str, name: str, quantity: str) -> str:
    await owner.press(link)
    await owner.press(products)
    await owner.send(name.lower())
    await owner.press(name)
    [links] = await owner.send(quantity)
    return links.text


async def test_a_deal_line_s_quantity_reads_as_its_reader_writes_it(
    app: App, owner: SimulatedUser
) -> None:
    """A quantity typed "2,5" came back "2,5 → 2.5" to a Russian reader (Python's float
    form); it reads "2,5" in Russian and "2.5" in English, large ones grouped."""
    deal_id = await deal_with_priced_products(app)
    await owner.press_data(EntCb(action=Ent.LINKS, kind="deal", card=deal_id).pack())
    await owner.press("🧮 Сумма по позициям: выкл")
    await put_line(owner, "🔗 Связать", "📦 Товары", "Соль", "2,5")
    shown = await put_line(owner, "🔗 Связать", "📦 Товары", "Лёд", "1 500")
    # the amounts' no-break spaces kept, as on the deal's card: "2 000 ₽" never breaks
    assert "Лёд — 1\u00a0500 × 2\u00a0000\u00a0₽ = 3\u00a0000\u00a0000\u00a0₽" in shown
    links = spaced(shown)
    assert "Соль — 2,5 × 150 ₽ = 375 ₽" in links
    assert "Лёд — 1 500 × 2 000 ₽ = 3 000 000 ₽" in links
    assert "Итого по позициям: 3 000 375 ₽" in links
    assert "2.5" not in links

    async with app.crm.open() as crm:
        await crm.members.set_language(await member(app), "en")
    [shown] = await owner.press_data(EntCb(action=Ent.LINKS, kind="deal", card=deal_id).pack())
    assert "Лёд — 1\u202f500 × 2,000\u00a0₽ = 3,000,000\u00a0₽" in shown.text
    links = spaced(shown.text)
    assert "Соль — 2.5 × 150 ₽ = 375 ₽" in links
    assert "Лёд — 1 500 × 2,000 ₽ = 3,000,000 ₽" in links
    assert "Lines total: 3,000,375 ₽" in links


def spaced(text: str) -> str:
    """``text`` with its no-break spaces (between digit groups, before ₽) as plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


async def test_a_deal_is_found_to_link_by_its_title_in_any_case(
    app: App, owner: SimulatedUser
) -> None:
    """The link search asks for "a few letters of the name": a deal titled "Монтаж" is
    found by "монт" and "МОНТАЖ", as by its client's name (SQLite's LIKE folds the case of
    ASCII letters only)."""
    client = await make_client(app, OWNER_ID, "Иван Петров")
    async with app.crm.open() as crm:
        me = await member(app)
        deal = await crm.deals.create(me, client.id, 0, "Монтаж окон")
        await crm.deals.create(me, client.id, 0, "Поставка")
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        record = await crm.records.create(me, suppliers.id, "ООО Доски")
    links = EntCb(action=Ent.LINKS, kind="record", card=record.id).pack()
    for query in ("монт", "МОНТАЖ", "Ёлки"):
        await owner.send("/records")
        await owner.press_data(links)
        await owner.press("🔗 Связать")
        await owner.press("💼 Сделки")
        [found] = await owner.send(query)
        if query == "Ёлки":
            assert found.text == "Ничего не нашлось. Пришлите другой запрос."
            break
        assert [text for text, _d, _u in found.buttons] == [
            "Монтаж окон · Иван Петров",
            "✖️ Отмена",
        ]
        await owner.send("/cancel")
    [by_client] = await owner.send("петров")
    assert len(by_client.buttons) == 3  # both deals, and cancel
    await owner.press("Монтаж окон")
    [links] = await owner.press("без количества")
    assert "💼 Монтаж окон" in links.text
    async with app.crm.open() as crm:
        linked = await crm.links.of_card(await member(app), CardRef(CardKind.DEAL, deal.id))
    assert len(linked) == 1


async def test_a_value_for_a_field_deleted_meanwhile_ends_the_question(
    app: App, owner_en: SimulatedUser
) -> None:
    from crm.parsing.fields import FieldType

    client = await make_client(app, OWNER_ID, "Anna")
    async with app.crm.open() as crm:
        inn = await crm.fields.define(await member(app), CardKind.CLIENT, "INN", FieldType.TEXT)
    await owner_en.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner_en.press("🧩 Fields")
    await owner_en.press("✏️ INN")
    async with app.crm.open() as crm:  # the owner deletes it from another device
        await crm.fields.delete(await member(app), inn.id)
    [refused] = await owner_en.send("7701")
    assert "This field no longer exists" in refused.text
    answers = await owner_en.send("Call her back tomorrow")  # a note: the question is over
    assert all("This field no longer exists" not in a.text for a in answers)


async def test_a_required_field_deleted_while_asked_is_skipped_by_the_new_record_dialog(
    app: App, owner_en: SimulatedUser
) -> None:
    """The field asked is deleted meanwhile: the answer is dropped and the record made (it
    was once refused again and again, then the dialog ended with the record lost; see
    tests/test_record_fields_deleted_meanwhile.py)."""
    from crm.parsing.fields import FieldType

    async with app.crm.open() as crm:
        me = await member(app)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        inn = await crm.fields.define(
            me, CardKind.RECORD, "INN", FieldType.TEXT, record_type_id=suppliers.id, required=True
        )
    await owner_en.send("/records")
    await owner_en.press("Suppliers")
    await owner_en.press("➕ New")
    [asked] = await owner_en.send("IceWorks")
    assert "INN" in asked.text
    async with app.crm.open() as crm:  # the owner deletes it from another device
        await crm.fields.delete(await member(app), inn.id)
    [card] = await owner_en.send("7701")
    assert card.text.startswith("🏭 Supplier: IceWorks") and "7701" not in card.text
    answers = await owner_en.send("Call them back tomorrow")  # no longer that answer
    assert all("This field no longer exists" not in a.text for a in answers)


async def test_minus_zero_in_a_number_field_reads_as_zero(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "-0" (or "-0,0") was kept and shown as "Staff: -0"; it is 0."""
    from crm.parsing.fields import FieldType

    client = await make_client(app, OWNER_ID, "Anna")
    async with app.crm.open() as crm:
        await crm.fields.define(await member(app), CardKind.CLIENT, "Staff", FieldType.NUMBER)
    await owner_en.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner_en.press("🧩 Fields")
    for typed in ("-0", "-0,0"):
        await owner_en.press("✏️ Staff")
        [screen] = await owner_en.send(typed)
        assert "• Staff: 0\n" in screen.text + "\n", screen.text


async def test_a_card_s_history_shows_field_values_as_the_card_does(
    app: App, owner: SimulatedUser
) -> None:
    """The history showed the values as kept: "Оборот: — → 150000000" for 1 500 000 ₽,
    "Проверен: — → True", "Договор до: — → 2026-12-31", "Рейтинг: — → 4.5"; it now shows
    them as the card does, in the reader's language."""
    from crm.parsing.fields import FieldType

    client = await make_client(app, OWNER_ID, "Анна")
    async with app.crm.open() as crm:
        me = await member(app)
        for name, type_ in (
            ("Оборот", FieldType.MONEY),
            ("Проверен", FieldType.YES_NO),
            ("Договор до", FieldType.DATE),
            ("Рейтинг", FieldType.NUMBER),
        ):
            await crm.fields.define(me, CardKind.CLIENT, name, type_)
    await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    await owner.press("🧩 Поля")
    for name, typed in (
        ("Оборот", "1,5 млн"),
        ("Проверен", "да"),
        ("Договор до", "31.12.2026"),
        ("Рейтинг", "1234,5"),
    ):
        await owner.press(f"✏️ {name}")
        [fields] = await owner.send(typed)
    assert "• Рейтинг: 1 234,5\n" in fields.text.replace("\u00a0", " "), fields.text
    [card] = await owner.press_data(ClientCb(action="open", client_id=client.id).pack())
    for line in (
        "Оборот: 1 500 000 ₽",
        "Проверен: да",
        "Договор до: 31.12.2026",
        "Рейтинг: 1 234,5",
        "✏️ Оборот: — → 1 500 000 ₽",
        "✏️ Проверен: — → да",
        "✏️ Договор до: — → 31.12.2026",
        "✏️ Рейтинг: — → 1 234,5",
    ):
        assert line in card.text.replace("\u00a0", " "), card.text  # (money's spaces: no-break)


async def test_a_record_list_s_archive_button_reads_as_the_archive_not_archiving(
    app: App, owner: SimulatedUser
) -> None:
    """The list offered "🗄 В архив", a card's words for archiving it; the clients' list
    says "🗄 Архив" for the same way to the archive, and so does a record type's list."""
    async with app.crm.open() as crm:
        me = await member(app)
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        record = await crm.records.create(me, suppliers.id, "ООО Доски")
        await crm.records.set_archived(me, record.id, True)
    await owner.send("/records")
    [listing] = await owner.press("Поставщики")
    labels = [text for text, _d, _u in listing.buttons]
    assert "🗄 Архив" in labels and "🗄 В архив" not in labels
    [archive] = await owner.press("🗄 Архив")
    assert "(архив)" in archive.text and "ООО Доски" in str(archive.buttons)
    [card] = await owner.press("ООО Доски")
    assert "♻️ Вернуть" in [text for text, _d, _u in card.buttons], card.buttons
