"""A colleague's deal (with "managers see all clients" on) offers a manager only what
he may do there: its fields screen no ✏️ buttons."""

from __future__ import annotations

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.records.callbacks import Ent, EntCb
from tests.client_helpers import deal_with_budget, member
from tests.conftest import OWNER_ID, Joiner

MANAGER_ID = 5501


def _edit_buttons(screen_buttons: list[tuple[str, str | None, str | None]]) -> list[str]:
    return [text for text, _data, _url in screen_buttons if text.startswith("✏️")]


async def test_a_colleague_s_deal_fields_show_no_edit_buttons(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """A manager opening a colleague's deal's fields saw "✏️ Budget", and a tap was refused
    ("You don't have access to this."). He sees the values and no ✏️ buttons; the owner
    and the deal's own manager still have them."""
    manager = await join(MANAGER_ID, "manager", "Mila", language_code="en")
    deal_id, _budget = await deal_with_budget(app, OWNER_ID)
    fields = EntCb(action=Ent.FIELDS, kind="deal", card=deal_id).pack()
    [seen] = await manager.press_data(fields)
    assert "Budget" in seen.text
    assert _edit_buttons(seen.buttons) == []
    [own] = await owner_en.press_data(fields)
    assert _edit_buttons(own.buttons) == ["✏️ Budget"]
    async with app.crm.open() as crm:
        me = await member(app, OWNER_ID)
        await crm.deals.set_manager(me, deal_id, MANAGER_ID)
    [his] = await manager.press_data(fields)
    assert _edit_buttons(his.buttons) == ["✏️ Budget"]
