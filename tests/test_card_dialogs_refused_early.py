"""A card's field and link dialogs refuse at the press what they would refuse after the
answer, and end when what they are about is gone, instead of refusing each message."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from crm.cards import CardKind, CardRef
from crm.parsing.fields import FieldType
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import make_client, member
from tests.conftest import OWNER_ID, Joiner

NO_ACCESS = "You don't have access to this."


async def not_refused_again(user: SimulatedUser, text: str, refusal: str) -> None:
    """The dialog ended: ``text`` is no longer its answer, so not refused as one."""
    answers = await user.send(text)
    assert all(refusal not in answer.text for answer in answers)


async def test_a_colleague_s_deal_field_is_refused_at_the_press(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """With "managers see all clients" on, a manager opened a colleague's deal's fields and
    tapped ✏️ Budget: the value was asked, typed, and only then refused ("You don't have
    access to this."), the typing lost. The press is refused now, and nothing is asked."""
    manager = await join(5501, "manager", "Mila", language_code="en")
    client = await make_client(app, OWNER_ID, "Ivan")
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.settings.set_managers_see_all(me, True)
        budget = await crm.fields.define(me, CardKind.DEAL, "Budget", FieldType.NUMBER)
        deal = await crm.deals.create(me, client.id, 100, "Big order")
        await crm.deals.set_manager(me, deal.id, OWNER_ID)
    edit = EntCb(action=Ent.EDIT_VALUE, kind="deal", card=deal.id, item=budget.id).pack()
    assert await manager.press_data(edit) == []
    assert manager.alert == NO_ACCESS
    await not_refused_again(manager, "5", NO_ACCESS)  # not taken as the value
    async with app.crm.open() as crm:
        values = await crm.field_values.of_card(me, CardRef(CardKind.DEAL, deal.id))
    assert [value.value for value in values] == [None]
