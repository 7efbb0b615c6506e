"""Every refusal of a deal press reaches the member as words, and forged ids are "gone"."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.deals.callbacks import DealAction, DealCb, DealsAction, DealsCb, NewDealCb
from tests.client_helpers import make_client
from tests.conftest import OWNER_ID, Joiner
from tests.test_deal_card import make_deal, open_deal, stage_ids

GONE = "This record no longer exists."
HUGE = 2**63


def forged(data: str, old: str, new: str) -> str:
    """Packed button data with one id replaced by what a forger would put there."""
    assert old in data
    return data.replace(old, new, 1)


@pytest.mark.parametrize("action", list(DealAction))
async def test_a_forged_deal_id_is_gone(
    app: App, owner_en: SimulatedUser, action: DealAction
) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    deal = await make_deal(app, client.id)
    data = DealCb(action=action, deal_id=deal.id, item_id=1, field="amount").pack()
    for fake in (str(2**31), str(HUGE), str(2**64 + deal.id), "-1"):
        assert await owner_en.press_data(forged(data, f":{deal.id}:", f":{fake}:")) == []
        assert owner_en.alert == GONE, (action, fake)


async def test_forged_stage_reason_and_member_ids(app: App, owner_en: SimulatedUser) -> None:
    client = await make_client(app, OWNER_ID, "Ivan Petrov")
    deal = await make_deal(app, client.id)
    await open_deal(owner_en, deal.id)
    move = DealCb(action=DealAction.MOVE, deal_id=deal.id, item_id=77).pack()
    await owner_en.press_data(forged(move, ":77:", f":{HUGE}:"))
    assert owner_en.alert == "This stage no longer exists."
    pick = DealCb(action=DealAction.LOST_PICK, deal_id=deal.id, item_id=77).pack()
    await owner_en.press_data(forged(pick, ":77:", f":{HUGE}:"))
    assert owner_en.alert == "This reason no longer exists; choose another or type one."
    manager = DealCb(action=DealAction.SET_MANAGER, deal_id=deal.id, member_id=77).pack()
    await owner_en.press_data(forged(manager, ":77:", f":{HUGE}:"))
    assert owner_en.alert == "Responsible changed."  # 0: nobody, as the "Nobody" button
    await owner_en.press_data(manager)
    assert owner_en.alert == "This member is not in the team any more."
    new = NewDealCb(action="start", client_id=client.id).pack()
    await owner_en.press_data(forged(new, f":{client.id}", f":{HUGE}"))
    assert owner_en.alert == GONE
    stage = DealsCb(action=DealsAction.STAGE, stage_id=77).pack()
    await owner_en.press_data(forged(stage, ":77:", f":{HUGE}:"))
    assert owner_en.alert == "This stage no longer exists."


async def test_refusals_of_a_manager_are_alerts(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    ids = await stage_ids(app)
    mila = await join(5001, "manager", "Mila", language_code="en")
    client = await make_client(app, OWNER_ID, "Owner's client")
    deal = await make_deal(app, client.id)
    # Mila sees no deal of the owner's client.
    for data in (
        NewDealCb(action="start", client_id=client.id).pack(),
        DealCb(action=DealAction.MANAGER, deal_id=deal.id).pack(),
        DealCb(action=DealAction.EDIT_FIELD, deal_id=deal.id, field="title").pack(),
    ):
        assert await mila.press_data(data) == []
        assert mila.alert == GONE, data
    # Only owners and admins hand deals over.
    await mila.press_data(
        DealCb(action=DealAction.SET_MANAGER, deal_id=deal.id, member_id=5001).pack()
    )
    assert mila.alert == "You don't have access to this."
    # Pressed twice, a move is "already there", and the card shows it as it is.
    await open_deal(owner_en, deal.id)
    won = DealCb(action=DealAction.MOVE, deal_id=deal.id, item_id=ids["won"]).pack()
    await owner_en.press_data(won)
    assert owner_en.alert == "🏆 The deal is won!"
    [card] = await owner_en.press_data(won)
    assert owner_en.alert == "The deal is already at this stage."
    assert card.text.startswith("💼 Supply")
    await owner_en.press_data(DealCb(action=DealAction.REOPEN, deal_id=deal.id).pack())
    await owner_en.press_data(DealCb(action=DealAction.REOPEN, deal_id=deal.id).pack())
    assert owner_en.alert == "The deal is already open."
