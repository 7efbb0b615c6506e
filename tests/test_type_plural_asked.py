"""➕ New record type with one name ("Supplier") made "📁 Supplier / Supplier" without a
word. The plural is now asked; both names at once still make the type at once."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from crm.parsing.type_names import TypeNames, read_type_names
from handlers.records import settings_views as sv
from handlers.records.callbacks import Ent


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
