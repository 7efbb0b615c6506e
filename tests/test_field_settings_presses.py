"""The owner's field screen in /settings pressed twice, or pressed after a change made
elsewhere: each button does what it says, never its opposite."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind
from crm.parsing.fields import FieldType
from handlers.records import settings_views as sv
from handlers.records.callbacks import Ent
from tests.client_helpers import member
from tests.conftest import OWNER_ID


async def test_make_required_pressed_twice_stays_required(
    app: App, owner_en: SimulatedUser
) -> None:
    """ "Make required" pressed twice in quick succession (a slow phone) made the field
    required and then optional again, the button toggling whatever the field was; and an
    old screen's "Make optional", pressed after the field was made optional elsewhere,
    made it required. Each button now sets what it names."""
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        field = await crm.fields.define(me, CardKind.CLIENT, "Birthday", FieldType.DATE)
    [screen] = await owner_en.press_data(sv.scb(Ent.FIELD, "client", 0, field.id))
    [make] = [data for text, data, _u in screen.buttons if text == "Make required"]
    assert make is not None
    await owner_en.press_data(make, screen)
    [again] = await owner_en.press_data(make, screen)  # the same button, pressed again
    assert "Required: yes" in again.text
    async with app.crm.open() as crm:
        assert (await crm.fields.get(field.id)).required
    [optional] = [data for text, data, _u in again.buttons if text == "Make optional"]
    assert optional is not None
    async with app.crm.open() as crm:  # made optional from another device meanwhile
        await crm.fields.set_required(me, field.id, False)
    [shown] = await owner_en.press_data(optional, again)
    assert "Required: no" in shown.text
    async with app.crm.open() as crm:
        assert not (await crm.fields.get(field.id)).required
