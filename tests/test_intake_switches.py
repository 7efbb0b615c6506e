"""A lead source's switches say which way they go: a double tap, or a press on an older
message, finds the source so already, says so and changes nothing."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update

from bot.app import App
from bot.simulator import SimulatedUser
from handlers.intake.callbacks import SourceAction, SourceCb, SourceTeamCb
from storage.models import Event, LeadSource
from tests.conftest import OWNER_ID, Joiner
from tests.test_intake_flow import MAX, add_source_in_settings

ALREADY = "It is so already: nothing changed."


async def source_now(app: App) -> tuple[LeadSource, int]:
    """The source, and how many changes of it were recorded."""
    async with app.crm.open() as crm:
        session = crm.clients._session
        [source] = list(await session.scalars(select(LeadSource)))
        changes = await session.scalar(
            select(func.count()).where(Event.kind == "lead_source_changed")
        )
    return source, int(changes or 0)


def data_of(owner: SimulatedUser, label: str) -> str:
    screen = owner.last_message()
    return next(data for text, data, _ in screen.buttons if label in text and data)


async def test_deal_for_each_lead_pressed_twice_stays_on(app: App, owner_en: SimulatedUser) -> None:
    await add_source_in_settings(owner_en, "Landing")
    on = data_of(owner_en, "Deal for each lead: no")
    await owner_en.press_data(on)
    assert "Deal for each lead: yes" in str(owner_en.last_message().buttons)
    source, changes = await source_now(app)
    assert source.open_deal and changes == 1
    await owner_en.press_data(on)  # the same button again: a double tap
    assert owner_en.alert == ALREADY
    source, changes = await source_now(app)
    assert source.open_deal and changes == 1
    off = data_of(owner_en, "Deal for each lead: yes")
    await owner_en.press_data(off)
    await owner_en.press_data(off)
    assert owner_en.alert == ALREADY
    source, changes = await source_now(app)
    assert not source.open_deal and changes == 2
    # A button of a message from before the switches said their way changes nothing.
    await owner_en.press_data(SourceCb(action=SourceAction.DEAL, source_id=source.id).pack())
    assert owner_en.alert == "This button is no longer active."
    assert (await source_now(app))[0].open_deal is False


async def test_in_turn_pressed_twice_keeps_the_member_in_turn(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    await join(MAX, first_name="Max", language_code="en")
    await add_source_in_settings(owner_en, "Landing")
    source, _ = await source_now(app)
    max_in = SourceCb(action=SourceAction.TURN_IN, source_id=source.id, member_id=MAX).pack()
    await owner_en.press_data(max_in)
    await owner_en.press_data(max_in)
    assert owner_en.alert == ALREADY
    source, changes = await source_now(app)
    assert (source.assign, list(source.member_ids), changes) == ("round_robin", [MAX], 1)
    max_out = SourceCb(action=SourceAction.TURN_OUT, source_id=source.id, member_id=MAX).pack()
    await owner_en.press_data(max_out)
    await owner_en.press_data(max_out)
    assert owner_en.alert == ALREADY
    source, changes = await source_now(app)
    assert (source.assign, list(source.member_ids), changes) == ("queue", [], 2)
    older = SourceCb(action=SourceAction.TURN, source_id=source.id, member_id=MAX).pack()
    await owner_en.press_data(older)
    assert owner_en.alert == "This button is no longer active."
    assert (await source_now(app))[1] == 2
    # The buttons shown say which way: Max's switches him out once he is in.
    await owner_en.press_data(max_in)
    shown_out = SourceTeamCb(action=SourceAction.TURN_OUT, source_id=source.id, member_id=MAX)
    assert data_of(owner_en, "✅ in turn") == shown_out.pack()
    # Giving every lead to one member, twice, is one change too.
    member = SourceCb(action=SourceAction.MEMBER, source_id=source.id, member_id=MAX).pack()
    await owner_en.press_data(member)
    await owner_en.press_data(member)
    source, changes = await source_now(app)
    assert (source.assign, list(source.member_ids), changes) == ("member", [MAX], 4)


async def test_two_members_put_in_turn_at_once_both_stay(
    app: App, owner_en: SimulatedUser, join: Joiner
) -> None:
    """The other owner is a second connection that has put the owner in turn and not
    committed yet: Max put in turn meanwhile waits for it, then joins, not replaces."""
    await join(MAX, first_name="Max", language_code="en")
    await add_source_in_settings(owner_en, "Landing")
    source, _ = await source_now(app)
    async with app.crm.open() as crm:
        owner = await crm.members.get_active(OWNER_ID)
    assert owner is not None
    async with app.engine.connect() as other:
        row = select(LeadSource).where(LeadSource.id == source.id).with_for_update()
        await other.execute(row)
        await other.execute(
            update(LeadSource)
            .where(LeadSource.id == source.id)
            .values(assign="round_robin", member_ids=[OWNER_ID])
        )

        async def put_max_in() -> bool:
            async with app.crm.open() as crm:
                return (await crm.lead_sources.set_in_turn(owner, source.id, MAX, True))[1]

        putting = asyncio.create_task(put_max_in())
        await asyncio.sleep(0.2)
        assert not putting.done()  # it waits for the other owner's transaction
        await other.commit()
    assert await putting
    source, _ = await source_now(app)
    assert (source.assign, list(source.member_ids)) == ("round_robin", [OWNER_ID, MAX])
