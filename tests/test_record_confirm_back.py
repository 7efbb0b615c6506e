"""A records' confirmation (delete a record, delete a field, remove a list field's option)
asks as a client's or a deal's does, its way back "◀️ No, back" (``kit.keyboards.confirm``),
and the choice of what to link goes "◀️ Back" as other choices do. They had a plain
"✖️ Cancel", which elsewhere is a question's (it ends the dialog that asked it) though they
ask none; "🗑 Delete for good" is "🗑 Yes, delete" as on a client's and a deal's."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import member
from tests.conftest import OWNER_ID
from tests.test_record_card_files import suppliers_with


def labels(message: object) -> list[str]:
    return [text for text, _data, _url in message.buttons]  # type: ignore[attr-defined]


async def test_deleting_a_record_no_back(app: App, owner_en: SimulatedUser) -> None:
    _type, [acme] = await suppliers_with(app, "Acme")
    record = EntCb(action=Ent.RECORD, kind=CardKind.RECORD.value, card=acme.id).pack()
    [card] = await owner_en.press_data(record)
    [question] = await owner_en.press("🗑 Delete", card)
    assert question.text.startswith("Delete “Acme”")
    assert labels(question) == ["🗑 Yes, delete", "◀️ No, back"]
    [card] = await owner_en.press("◀️ No, back", question)
    assert card.text.startswith("🏭 Supplier: Acme") and "🗑 Delete" in labels(card)


async def test_the_choice_of_what_to_link_goes_back(app: App, owner_en: SimulatedUser) -> None:
    _type, [acme] = await suppliers_with(app, "Acme")
    links = EntCb(action=Ent.LINKS, kind=CardKind.RECORD.value, card=acme.id).pack()
    [screen] = await owner_en.press_data(links)
    [kinds] = await owner_en.press("🔗 Link", screen)
    assert labels(kinds)[-1] == "◀️ Back" and "✖️ Cancel" not in labels(kinds)
    [back] = await owner_en.press("◀️ Back", kinds)
    assert "🔗 Link" in labels(back)


async def test_deleting_a_field_and_removing_an_option_no_back(
    app: App, owner_en: SimulatedUser
) -> None:
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        sort = (me, CardKind.CLIENT, "Line", FieldType.CHOICE)
        line = await crm.fields.define(*sort, options=["Ice", "Steam"])
    await owner_en.send("/settings")
    await owner_en.press("Fields and record types")
    await owner_en.press("Client fields")
    [field] = await owner_en.press("Line")
    [question] = await owner_en.press("🗑 Delete", field)
    assert question.text.startswith("Delete the field “Line”?")
    assert labels(question) == ["🗑 Delete", "◀️ No, back"]
    [field] = await owner_en.press("◀️ No, back", question)
    assert "Line" in field.text
    [options] = await owner_en.press("📋 Options", field)
    remove = EntCb(action=Ent.OPTION_DELETE, kind="client", item=line.id, page=1).pack()
    [question] = await owner_en.press_data(remove, options)
    assert labels(question) == ["🗑 Remove", "◀️ No, back"]
    [options] = await owner_en.press("◀️ No, back", question)
    assert "✏️ Ice" in labels(options) and "✏️ Steam" in labels(options)
