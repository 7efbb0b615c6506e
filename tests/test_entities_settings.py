"""The owner renames a field, a list field's options, a record type and its emoji from
/settings; the cards keep their values under the new names; forged presses are refused."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.cards import CardKind, CardRef
from crm.field_rules import options_of
from crm.parsing.fields import FieldType
from handlers.records.callbacks import Ent, EntCb
from storage.models import User
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner


async def owner_of(app: App) -> User:
    async with app.crm.open() as crm:
        found = await crm.members.get_active(OWNER_ID)
    assert found is not None
    return found


async def test_owner_renames_options_fields_and_types_and_values_stay(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    owner = owner_en
    client = await make_client(app, OWNER_ID, "Roga")
    async with app.crm.open() as crm:
        me = await owner_of(app)
        line = await crm.fields.define(
            me, CardKind.CLIENT, "Line", FieldType.CHOICE, options=["Ice", "Steam"]
        )
        await crm.field_values.set(me, CardRef(CardKind.CLIENT, client.id), line.id, "Ice")
        suppliers = await crm.record_types.take_starter(me, "suppliers")
        await crm.records.create(me, suppliers.id, "IceWorks")

    await owner.send("/settings")
    await owner.press("Fields and record types")
    await owner.press("Client fields")
    await owner.press("Line")
    # the field's options: rename one, a clash is refused and the question stays open
    await owner.press("📋 Options")
    await owner.press("✏️ Ice")
    [clash] = await owner.send("steam")
    assert clash.text == "Each option must differ from the others."
    [options] = await owner.send("Ice cubes")
    assert "✏️ Ice cubes" in [text for text, _d, _u in options.buttons]
    await owner.press("➕ Add an option")
    [options] = await owner.send("Water")
    assert "✏️ Water" in [text for text, _d, _u in options.buttons]
    # the field itself
    await owner.press("◀️ Back")
    await owner.press("✏️ Rename")
    [clash] = await owner.send("Name")
    assert "is a built-in field already" in clash.text
    [field_screen] = await owner.send("Product line")
    assert "Product line" in field_screen.text and "Ice cubes, Steam, Water" in field_screen.text
    async with app.crm.open() as crm:
        values = await crm.field_values.read(
            CardRef(CardKind.CLIENT, client.id), await crm.clients.visible(me, client.id)
        )
    assert [(v.field.name, v.value) for v in values] == [("Product line", "Ice cubes")]

    # removing an option asks first, says how many cards chose it, and takes their choice
    await owner.send("/settings")
    await owner.press("Fields and record types")
    await owner.press("Client fields")
    await owner.press("Product line")
    [options] = await owner.press("📋 Options")
    remove = EntCb(action=Ent.OPTION_DELETE, kind="client", item=line.id, page=1).pack()
    assert remove in [data for _t, data, _u in options.buttons]
    [prompt] = await owner.press_data(remove)
    assert prompt.text == (
        "Remove the option “Ice cubes” of “Product line”? 1 cards chose it; "
        "their choice goes, the history stays."
    )
    [options] = await owner.press("🗑 Remove", prompt)
    assert [t for t, _d, _u in options.buttons if t.startswith("✏️")] == ["✏️ Steam", "✏️ Water"]
    yes = EntCb(action=Ent.OPTION_DELETE_YES, kind="client", item=line.id, page=1).pack()
    await owner.press_data(yes)  # pressed again: nothing more goes
    assert owner.alerts()[-1] == "This option no longer exists."
    async with app.crm.open() as crm:
        values = await crm.field_values.read(
            CardRef(CardKind.CLIENT, client.id), await crm.clients.visible(me, client.id)
        )
    assert [(v.field.name, v.value) for v in values] == [("Product line", None)]

    # the record type: names and emoji
    await owner.send("/settings")
    await owner.press("Fields and record types")
    await owner.press("Suppliers")
    await owner.press("✏️ Rename type")
    [typed] = await owner.send("Vendor / Vendors")
    assert "Vendor / Vendors" in typed.text
    await owner.press("🙂 Emoji")
    [refused] = await owner.send("abc")
    assert refused.text == "Send one emoji."
    [typed] = await owner.send("🚚")
    assert "🚚 Vendor / Vendors" in typed.text
    await owner.send("/records")
    [listing] = await owner.press("Vendors")
    assert "IceWorks" in str(listing.buttons)

    # a manager's forged presses are refused and change nothing
    manager = await join(5401, "manager", "Mila", language_code="en")
    await manager.send("/records")
    for action, item, page in (
        (Ent.OPTION_RENAME, line.id, 1),
        (Ent.OPTION_DELETE_YES, line.id, 2),
    ):
        await manager.press_data(EntCb(action=action, kind="client", item=item, page=page).pack())
    await manager.press_data(
        EntCb(action=Ent.TYPE_RENAME, kind="record", type_id=suppliers.id).pack()
    )
    assert manager.alerts()[-3:] == ["You don't have access to this."] * 3
    # and an owner's press for an option that is gone is told so
    await owner.press_data(
        EntCb(action=Ent.OPTION_RENAME, kind="client", item=line.id, page=99).pack()
    )
    assert owner.alerts()[-1] == "This option no longer exists."
    async with app.crm.open() as crm:
        assert (await crm.record_types.get(suppliers.id)).singular == "Vendor"
        kept = options_of(await crm.fields.get(line.id))
        assert [o.name for o in kept] == ["Steam", "Water"]  # the forged removal did nothing


async def test_a_type_renamed_with_an_emoji_as_it_was_made_takes_the_emoji(
    app: App, owner: SimulatedUser
) -> None:
    """A type is made from "🏭 Поставщик / Поставщики"; a rename typed the same way sets
    the emoji too, instead of keeping "🏭" as the start of the name ("📁 🏭 Поставщик")."""
    async with app.crm.open() as crm:
        kind = await crm.record_types.create(await owner_of(app), "Поставщики", "Поставщики")
    await owner.send("/settings")
    await owner.press("Поля и типы записей")
    await owner.press("Поставщики")
    await owner.press("✏️ Переименовать тип")
    [typed] = await owner.send("🏭 Поставщик / Поставщики")
    assert typed.text.startswith("🏭 Поставщик / Поставщики"), typed.text
    await owner.press("✏️ Переименовать тип")
    [kept] = await owner.send("Снабженец / Снабженцы")  # no emoji typed: the emoji stays
    assert kept.text.startswith("🏭 Снабженец / Снабженцы"), kept.text
    await owner.press("✏️ Переименовать тип")
    [refused] = await owner.send("🏭🏭🏭🏭🏭🏭🏭🏭🏭 Поставщик / Поставщики")
    assert refused.text == "Пришлите один эмодзи."
    async with app.crm.open() as crm:
        renamed = await crm.record_types.get(kind.id)
    assert (renamed.emoji, renamed.singular, renamed.plural) == ("🏭", "Снабженец", "Снабженцы")


async def test_a_long_list_of_options_comes_a_page_at_a_time(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        await crm.fields.define(
            await owner_of(app),
            CardKind.DEAL,
            "Product",
            FieldType.CHOICE,
            options=[f"Item {n:03d}" for n in range(1, 46)],
        )
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Deal fields")
    await owner_en.press("Product")
    [options] = await owner_en.press("📋 Options")
    assert len(options.buttons) <= 100 and "Page 1 of 3." in options.text
    shown = [t for t, _d, _u in options.buttons if t.startswith("✏️")]
    assert shown[0] == "✏️ Item 001" and shown[-1] == "✏️ Item 020"
    [options] = await owner_en.press("▶️", options)
    assert "Page 2 of 3." in options.text
    await owner_en.press("✏️ Item 033", options)
    [options] = await owner_en.send("Item 33 renamed")
    assert "Page 2 of 3." in options.text  # back on the page of the renamed option
    assert "✏️ Item 33 renamed" in [t for t, _d, _u in options.buttons]


async def test_a_blank_new_option_is_asked_again_not_a_copy_of_the_last(
    app: App, owner_en: SimulatedUser
) -> None:
    """A new option typed blank was dropped as blank and the last option's name taken in
    its place: "Steam" twice in the list. It is refused; the question stays open."""
    async with app.crm.open() as crm:
        line = await crm.fields.define(
            await owner_of(app), CardKind.CLIENT, "Line", FieldType.CHOICE, options=["Ice", "Steam"]
        )
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Client fields")
    await owner_en.press("Line")
    await owner_en.press("📋 Options")
    await owner_en.press("➕ Add an option")
    [refusal] = await owner_en.send(" ")
    assert refusal.text == "This cannot be empty. Please send it again."
    [options] = await owner_en.send("Water")
    assert "✏️ Water" in [text for text, _d, _u in options.buttons]
    async with app.crm.open() as crm:
        names = [option.name for option in options_of(await crm.fields.get(line.id))]
    assert names == ["Ice", "Steam", "Water"]


async def test_archiving_or_deleting_a_type_named_by_no_type_says_it_is_gone(
    app: App, owner_en: SimulatedUser
) -> None:
    """A type's buttons forged onto client or deal fields (which have no type), or with no
    type id, are told "gone", never answered with silence."""
    async with app.crm.open() as crm:
        kind = await crm.record_types.create(await owner_of(app), "Supplier", "Suppliers")
    for action in (Ent.TYPE_ARCHIVE, Ent.TYPE_DELETE):
        for kind_code, type_id in (("client", kind.id), ("deal", kind.id), ("record", 0)):
            data = EntCb(action=action, kind=kind_code, type_id=type_id, item=1).pack()
            assert await owner_en.press_data(data) == [], data
            assert owner_en.alert == "This record type no longer exists.", data
    async with app.crm.open() as crm:
        assert (await crm.record_types.get(kind.id)).archived_at is None


async def new_list_field(owner: SimulatedUser, labels: tuple[str, ...], name: str) -> SentMessage:
    """/settings → fields of clients → add a field ``name`` of a list; the options' question."""
    fields_and_types, client_fields, add_field, one_of_a_list = labels
    await owner.send("/settings")
    await owner.press(fields_and_types)
    await owner.press(client_fields)
    await owner.press(add_field)
    await owner.send(name)
    [question] = await owner.press(one_of_a_list)
    return question


async def test_list_options_typed_on_one_line_are_split(app: App, owner: SimulatedUser) -> None:
    """Options typed "опт, розница; дилер" were kept as one option of that whole line.
    Commas, semicolons and new lines part them; "1,5" stays one; blanks and repeats go."""
    russian = ("Поля и типы записей", "Поля клиентов", "➕ Добавить поле", "один из списка")
    question = await new_list_field(owner, russian, "Канал")
    assert question.text == (
        "Пришлите варианты через запятую, точку с запятой или с новой строки: опт, розница; дилер"
    )
    assert [text for text, _d, _u in question.buttons] == ["✖️ Отмена"]
    [field_screen] = await owner.send("опт, розница; дилер,\n Опт ;; тара 1,5 л\nРозница")
    async with app.crm.open() as crm:
        [field] = await crm.fields.of(CardKind.CLIENT)
    assert [o.name for o in options_of(field)] == ["опт", "розница", "дилер", "тара 1,5 л"]
    assert "опт, розница, дилер, тара 1,5 л" in field_screen.text

    # only separators: refused, and the question stays open for a good answer
    await new_list_field(owner, russian, "Размер")
    [refused] = await owner.send(" , ;")
    assert refused.text == "Полю-списку нужен хотя бы один вариант."
    await owner.send("1,5; 2,5")
    async with app.crm.open() as crm:
        sizes = (await crm.fields.of(CardKind.CLIENT))[-1]
    assert sizes.name == "Размер" and [o.name for o in options_of(sizes)] == ["1,5", "2,5"]

    # in English too, and Cancel leaves without a field
    async with app.crm.open() as crm:
        await crm.members.set_language(await owner_of(app), "en")
    english = ("Fields and record types", "Client fields", "➕ Add a field", "one of a list")
    question = await new_list_field(owner, english, "Size")
    assert question.text == (
        "Send the options, separated by commas, semicolons or new lines: wholesale, retail; dealer"
    )
    [fields_list] = await owner.press("✖️ Cancel", question)
    assert "Size" not in fields_list.text
    [search] = await owner.send("S, M; L")  # the question is gone: a search, not options
    assert search.text == "Nothing found for “S, M; L”."
    async with app.crm.open() as crm:
        assert [f.name for f in await crm.fields.of(CardKind.CLIENT)] == ["Канал", "Размер"]
