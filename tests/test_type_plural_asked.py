"""➕ New record type with one name ("Supplier") made "📁 Supplier / Supplier" without a
word. The plural is now asked; both names at once still make the type at once."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SentMessage, SimulatedUser
from crm.parsing.type_names import TypeNames, read_type_names
from crm.record_types import MAX_TYPES
from handlers.records import settings_views as sv
from handlers.records.callbacks import Ent, EntCb
from tests.conftest import OWNER_ID


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Supplier", TypeNames(None, "Supplier", "Supplier", True)),
        ("🏭 Supplier", TypeNames("🏭", "Supplier", "Supplier", True)),
        ("Supplier / ", TypeNames(None, "Supplier ", "Supplier ", True)),
        ("🏭 Supplier / Suppliers", TypeNames("🏭", "Supplier ", " Suppliers", False)),
    ],
)
def test_read_type_names(text: str, names: TypeNames) -> None:
    assert read_type_names(text) == names


async def _types(app: App) -> list[tuple[str | None, str, str]]:
    async with app.crm.open() as crm:
        return [(t.emoji, t.singular, t.plural) for t in await crm.record_types.all()]


async def test_one_name_asks_the_plural(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.press_data(sv.scb(Ent.NEW_TYPE))
    [asked] = await owner_en.send("🏭 Supplier")
    assert asked.text == "“Supplier”: what are they called in the plural? For example: Suppliers"
    assert await _types(app) == []
    await owner_en.send("Suppliers")
    assert await _types(app) == [("🏭", "Supplier", "Suppliers")]


async def test_one_name_asks_the_plural_in_russian(app: App, owner: SimulatedUser) -> None:
    await owner.press_data(sv.scb(Ent.NEW_TYPE))
    [asked] = await owner.send("Поставщик")
    assert asked.text == (
        "«Поставщик»: как назвать их во множественном числе? Например: Поставщики"
    )
    await owner.send("Поставщики")
    [(_emoji, singular, plural)] = await _types(app)
    assert (singular, plural) == ("Поставщик", "Поставщики")


async def test_both_names_make_the_type_at_once(app: App, owner_en: SimulatedUser) -> None:
    await owner_en.press_data(sv.scb(Ent.NEW_TYPE))
    await owner_en.send("🏭 Supplier / Suppliers")
    assert await _types(app) == [("🏭", "Supplier", "Suppliers")]


async def test_the_new_type_question_says_one_name_is_enough(
    owner_en: SimulatedUser, owner: SimulatedUser
) -> None:
    [asked] = await owner_en.press_data(sv.scb(Ent.NEW_TYPE))
    assert asked.text == (
        "Send the name in the singular and the plural, with an emoji if you like: "
        "🏭 Supplier / Suppliers. The singular alone is enough too: then the plural is asked."
    )


async def test_the_new_type_question_says_one_name_is_enough_in_russian(
    owner: SimulatedUser,
) -> None:
    [asked] = await owner.press_data(sv.scb(Ent.NEW_TYPE))
    assert asked.text.endswith("Можно и только в единственном: множественное спросим следом."), (
        asked.text
    )


async def _made(app: App, plural: str) -> int:
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        return (await crm.record_types.create(owner, plural[:-1], plural, "🏭")).id


async def _rename(user: SimulatedUser, *presses: str) -> SentMessage:
    """/settings, then the presses to a type's rename: its question."""
    await user.send("/settings")
    for label in presses[:-1]:
        await user.press(label)
    [prompt] = await user.press(presses[-1])
    return prompt


async def test_a_rename_with_one_name_asks_the_plural(app: App, owner_en: SimulatedUser) -> None:
    """A rename typed "Vendor" made "Vendor / Vendor" without a word; it asks the plural
    now, as a new type does, and the emoji typed with the one name is taken."""
    await _made(app, "Suppliers")
    prompt = await _rename(owner_en, "Fields and record types", "Suppliers", "✏️ Rename type")
    assert "or the singular alone: then the plural is asked" in prompt.text
    [asked] = await owner_en.send("🚚 Vendor")
    assert asked.text == "“Vendor”: what are they called in the plural? For example: Suppliers"
    assert await _types(app) == [("🏭", "Supplier", "Suppliers")]
    [screen] = await owner_en.send("Vendors")
    assert screen.text.startswith("🚚 Vendor / Vendors"), screen.text
    assert await _types(app) == [("🚚", "Vendor", "Vendors")]
    [prompt] = await owner_en.press("✏️ Rename type")
    [_asked] = await owner_en.send("Dealer")  # no emoji typed: the emoji stays
    await owner_en.send("Dealers")
    assert await _types(app) == [("🚚", "Dealer", "Dealers")]


async def test_a_rename_with_one_name_in_russian_can_be_cancelled(
    app: App, owner: SimulatedUser
) -> None:
    await _made(app, "Поставщики")
    prompt = await _rename(owner, "Поля и типы записей", "Поставщики", "✏️ Переименовать тип")
    assert "или только в единственном: множественное спросим следом" in prompt.text
    [refused] = await owner.send("🏭🏭🏭🏭🏭🏭🏭🏭🏭 Снабженец")  # refused now, not after
    assert refused.text == "Пришлите один эмодзи."
    [asked] = await owner.send("Снабженец")
    assert asked.text.startswith("«Снабженец»: как назвать их во множественном числе?")
    [back] = await owner.press("Отмена")
    assert back.text.startswith("🏭 Поставщик / Поставщики"), back.text
    [search] = await owner.send("Снабженцы")  # the question is over: a search, no rename
    assert search.text == "По запросу «Снабженцы» ничего не найдено."
    assert await _types(app) == [("🏭", "Поставщик", "Поставщики")]


async def test_a_type_deleted_while_its_plural_is_asked(app: App, owner_en: SimulatedUser) -> None:
    type_id = await _made(app, "Suppliers")
    await owner_en.press_data(EntCb(action=Ent.TYPE_RENAME, kind="record", type_id=type_id).pack())
    await owner_en.send("Vendor")
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        await crm.record_types.delete(owner, type_id)
    [gone] = await owner_en.send("Vendors")
    assert gone.text == "This record type no longer exists."
    [_next] = await owner_en.send("Vendors")  # the dialog ended: not taken as a plural
    assert await _types(app) == []


async def test_a_singular_taken_is_refused_before_the_plural(
    app: App, owner_en: SimulatedUser
) -> None:
    """«Supplier» typed for a new type while «Supplier / Suppliers» exists asked the plural,
    then refused every plural typed ("There is a record type named “Suppliers” already.")
    until Cancel: the singular was the name taken. It is refused at once, the name asked
    again."""
    await _made(app, "Suppliers")
    await owner_en.press_data(sv.scb(Ent.NEW_TYPE))
    [refused] = await owner_en.send("supplier")
    assert refused.text == "There is a record type named “Suppliers” already."
    [asked] = await owner_en.send("Vendor")  # the name is asked again, not the plural
    assert asked.text == "“Vendor”: what are they called in the plural? For example: Suppliers"
    await owner_en.send("Vendors")
    assert await _types(app) == [("🏭", "Supplier", "Suppliers"), ("📁", "Vendor", "Vendors")]


async def test_a_rename_to_another_type_s_singular_is_refused_before_the_plural(
    app: App, owner: SimulatedUser
) -> None:
    """A type renamed to another's name is refused at once; its own name may stay."""
    type_id = await _made(app, "Поставщики")
    await _made(app, "Клиенты")
    await owner.press_data(EntCb(action=Ent.TYPE_RENAME, kind="record", type_id=type_id).pack())
    [refused] = await owner.send("Клиент")
    assert refused.text == "Тип записей «Клиенты» уже есть."
    [asked] = await owner.send("Поставщик")  # its own singular, a new plural
    assert asked.text.startswith("«Поставщик»: как назвать их во множественном числе?")
    await owner.send("Снабженцы")
    assert ("🏭", "Поставщик", "Снабженцы") in await _types(app)


async def test_new_type_at_the_limit_is_refused_before_its_names(
    app: App, owner_en: SimulatedUser
) -> None:
    """At the limit of record types, ➕ New record type asked the names, then the plural,
    then refused every plural typed ("That is over the limit of 30.") until Cancel. The
    press is refused at once now, and no question is left open."""
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
        assert owner is not None
        for number in range(MAX_TYPES):
            await crm.record_types.create(owner, f"Kind{number}", f"Kinds{number}")
    [] = await owner_en.press_data(sv.scb(Ent.NEW_TYPE))
    assert owner_en.alert == f"That is over the limit of {MAX_TYPES}."
    [_search] = await owner_en.send("Vendor")  # no question open: not taken as a name
    assert len(await _types(app)) == MAX_TYPES
