"""A list filtered by an option the owner then removed: the list read "Fields: Kind: ?"
and found nothing, though the filter could match nothing any more. A removed option's
filter is dropped, as a deleted field's is."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.field_filters import FieldFilter
from crm.parsing.fields import FieldType
from handlers.kit import field_filters as ff
from handlers.records.callbacks import RecList, RecordListCb
from storage.models import FieldDef
from tests.client_helpers import member
from tests.conftest import OWNER_ID


def test_current_drops_the_filters_of_removed_options() -> None:
    kind = FieldDef(id=7, type="choice", options=[{"id": 1, "name": "Big"}])
    agreed = FieldDef(id=8, type="yes_no", options=[])
    cases = [
        ((FieldFilter(7, option_ids=(1,)),), (FieldFilter(7, option_ids=(1,)),)),
        ((FieldFilter(7, option_ids=(2,)),), ()),  # removed
        ((FieldFilter(8, yes=True), FieldFilter(7, option_ids=(2,))), (FieldFilter(8, yes=True),)),
        ((FieldFilter(9, yes=True),), ()),  # a deleted field's
    ]
    for filters, kept in cases:
        assert ff.current(filters, [kind, agreed]) == kept, filters


async def test_a_record_list_filtered_by_a_removed_option(
    app: App, owner_en: SimulatedUser
) -> None:
    me = await member(app, OWNER_ID)
    async with app.crm.open() as crm:
        suppliers = await crm.record_types.create(me, "Supplier", "Suppliers", "🏭")
        options = ["Big", "Small"]
        kind = await crm.fields.define(
            me,
            CardKind.RECORD,
            "Kind",
            FieldType.CHOICE,
            options=options,
            record_type_id=suppliers.id,
        )
        for title, chosen in zip(("Frost", "Ice"), options, strict=True):
            record = await crm.records.create(me, suppliers.id, title)
            await crm.field_values.set(me, CardRef(CardKind.RECORD, record.id), kind.id, chosen)
    big = ff.pack((FieldFilter(kind.id, option_ids=(1,)),))
    shown = RecordListCb(action=RecList.SHOW, type_id=suppliers.id, f=big).pack()
    [listing] = await owner_en.press_data(shown)
    assert "Fields: Kind: Big" in listing.text and "Found: 1" in listing.text
    async with app.crm.open() as crm:
        await crm.fields.remove_option(me, kind.id, 1)
    [listing] = await owner_en.press_data(shown, listing)  # the list's button, pressed again
    assert "?" not in listing.text
    assert "Fields:" not in listing.text and "Found: 2" in listing.text, listing.text
